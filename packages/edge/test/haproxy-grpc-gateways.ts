/**
 * The gateways of the gRPC tests: the real HAProxy in front of a real gRPC service
 * (`grpc-backend.ts`), one with its gRPC backend up and one whose gRPC backend is down (nothing
 * listens there), each taking gRPC over TLS + HTTP/2 on its public listener and over h2c on
 * `grpc.listen`, with a 1 s read timeout and only `/api/` routed to HTTP.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeDrainCertificates, waitForPort } from '@faultline/testkit';
import { type Gateway, startHaproxy } from './gateway.js';
import { DOMAIN, type GrpcBackend, startGrpcBackend } from './haproxy-grpc-backend.js';

/** The running service and gateways, their ports and the CA the TLS clients trust. */
export interface GrpcGateways {
  readonly backend: GrpcBackend;
  readonly ports: { readonly tls: number; readonly h2c: number; readonly downTls: number; readonly downH2c: number };
  readonly ca: string;
  readonly caFile: string;
  /** The gateways' directories (their access log): in front of the backend, and of no backend. */
  readonly dirs: { readonly up: string; readonly down: string };
  stop(): Promise<void>;
}

/** Starts the service and both gateways. */
export async function startGrpcGateways(): Promise<GrpcGateways> {
  const backend = await startGrpcBackend();
  const certs = makeDrainCertificates();
  const pem = join(certs.dir, 'server-bundle.pem');
  writeFileSync(
    pem,
    `${readFileSync(join(certs.dir, 'server.crt'), 'utf8')}${readFileSync(join(certs.dir, 'server.key'), 'utf8')}`,
  );
  const ports = { tls: await freePort(), h2c: await freePort(), downTls: await freePort(), downH2c: await freePort() };
  const common = { routes: ['/api/'], readTimeout: 1, maxBodyBytes: 65_536, tls: { certificate: pem } };
  // The HTTP backend is never reached (nothing listens there): no test request is routed to it.
  const gateway = async (port: number, listen: number, upstream: number): Promise<Gateway> => {
    const started = await startHaproxy(port, {
      ...common,
      upstreams: [`127.0.0.1:${await freePort()}`],
      grpc: {
        upstreams: [`127.0.0.1:${upstream}`],
        services: ['orders.v1.Orders'],
        listen: [`127.0.0.1:${listen}`],
        domain: DOMAIN,
      },
    });
    await waitForPort(listen, 5000);
    return started;
  };
  const gateways = await Promise.all([
    gateway(ports.tls, ports.h2c, backend.port),
    gateway(ports.downTls, ports.downH2c, await freePort()),
  ]);
  const caFile = join(certs.dir, 'ca.crt');
  return {
    backend,
    ports,
    ca: readFileSync(caFile, 'utf8'),
    caFile,
    dirs: { up: (gateways[0] as Gateway).dir, down: (gateways[1] as Gateway).dir },
    stop: async () => {
      await Promise.all(gateways.map((g) => g.stop()));
      await backend.stop();
    },
  };
}
