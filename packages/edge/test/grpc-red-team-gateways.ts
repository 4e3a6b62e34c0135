/**
 * The gateways of the red-team tests: the real nginx and the real HAProxy, each taking gRPC over
 * TLS + HTTP/2 on its public listener and over h2c on `grpc.listen`, `orders.v1.Orders` routed to
 * one gRPC backend, only `/api/` routed to HTTP, a 1 s read timeout and a 1 KiB body limit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeDrainCertificates, waitForPort } from '@faultline/testkit';
import { type Gateway, startHaproxy, startNginx } from './gateway.js';
import type { Target } from './grpc-red-team-client.js';

/** One listener of one gateway: where to connect, the gateway's directory (its access.log). */
export interface RedTeamTarget extends Target {
  readonly name: string;
  readonly dir: string;
  /** The CA's file (TLS listeners). */
  readonly caFile?: string;
}

/** The running gateways. */
export interface RedTeamGateways {
  /** nginx TLS, nginx h2c, HAProxy TLS, HAProxy h2c. */
  readonly targets: readonly RedTeamTarget[];
  stop(): Promise<void>;
}

/** The ErrorInfo domain of the gateways' own statuses. */
export const RED_TEAM_DOMAIN = 'orders.example.com';

let certificates: string | undefined;

/** The test certificates' directory, made once per test file (openssl is slow). */
function certificatesDir(): string {
  certificates ??= makeDrainCertificates().dir;
  return certificates;
}

/** Starts nginx and HAProxy in front of the gRPC backend on `upstream`, connect timeout `connectTimeout` seconds. */
export async function startRedTeamGateways(upstream: number, connectTimeout = 5): Promise<RedTeamGateways> {
  const certs = certificatesDir();
  const caFile = join(certs, 'ca.crt');
  const ca = readFileSync(caFile, 'utf8');
  const bundle = join(certs, 'server-bundle.pem');
  writeFileSync(
    bundle,
    `${readFileSync(join(certs, 'server.crt'), 'utf8')}${readFileSync(join(certs, 'server.key'), 'utf8')}`,
  );
  const [nginxTls, nginxH2c, haproxyTls, haproxyH2c, http] = (await Promise.all(
    [0, 1, 2, 3, 4].map(() => freePort()),
  )) as [number, number, number, number, number];
  const grpc = (listen: number) => ({
    upstreams: [`127.0.0.1:${upstream}`],
    services: ['orders.v1.Orders'],
    listen: [`127.0.0.1:${listen}`],
    domain: RED_TEAM_DOMAIN,
  });
  // Nothing listens on the HTTP upstream: no request here is routed to it (only /api/ is).
  const common = { upstreams: [`127.0.0.1:${http}`], routes: ['/api/'], readTimeout: 1, connectTimeout };
  const gateways: Gateway[] = await Promise.all([
    startNginx(nginxTls, {
      ...common,
      maxBodySize: '1k',
      tls: { certificate: join(certs, 'server.crt'), key: join(certs, 'server.key') },
      grpc: grpc(nginxH2c),
    }),
    startHaproxy(haproxyTls, { ...common, maxBodyBytes: 1024, tls: { certificate: bundle }, grpc: grpc(haproxyH2c) }),
  ]);
  await Promise.all([waitForPort(nginxH2c, 5000), waitForPort(haproxyH2c, 5000)]);
  const [nginx, haproxy] = gateways as [Gateway, Gateway];
  return {
    targets: [
      { name: 'nginx TLS', port: nginxTls, ca, caFile, dir: nginx.dir },
      { name: 'nginx h2c', port: nginxH2c, dir: nginx.dir },
      { name: 'HAProxy TLS', port: haproxyTls, ca, caFile, dir: haproxy.dir },
      { name: 'HAProxy h2c', port: haproxyH2c, dir: haproxy.dir },
    ],
    stop: async () => {
      await Promise.all(gateways.map((g) => g.stop()));
    },
  };
}
