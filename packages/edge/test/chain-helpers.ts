/**
 * Two-hop gateway chains for the chained-gateway tests: generated nginx in front of generated
 * HAProxy and the reverse, each in front of a real Faultline service, and a stock nginx (not
 * Faultline's) in front of a generated one. Every process is started once per file, in parallel.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '@faultline/testkit';
import { type Exchange, type Gateway, startHaproxy, startNginx } from './gateway.js';

/** The two orders of a chain: the outer gateway's kind first. */
export type ChainKind = 'nginx>haproxy' | 'haproxy>nginx';

/** A started chain: the outer gateway (TLS 1.3, HTTP/2) and the inner one (plain HTTP/1.1). */
export interface Chain {
  readonly kind: ChainKind;
  readonly outer: Gateway;
  readonly inner: Gateway;
}

/** A certificate for the outer gateways: nginx's two files, HAProxy's bundle. */
export interface ChainCertificate {
  readonly crt: string;
  readonly key: string;
  readonly bundle: string;
}

/** What a chain is made of beyond its kind: the inner's upstream and each hop's own options. */
export interface ChainParts {
  readonly upstream: string;
  readonly outer?: Record<string, unknown>;
  readonly inner?: Record<string, unknown>;
}

/** Starts a gateway of `kind` on `port` with `options` (routes `/api/`). */
function start(kind: 'nginx' | 'haproxy', port: number, options: Record<string, unknown>): Promise<Gateway> {
  const all = { routes: ['/api/'], ...options } as never;
  return kind === 'nginx' ? startNginx(port, all) : startHaproxy(port, all);
}

/**
 * Starts the chain `kind` in front of `parts.upstream`: the inner gateway trusts the outer one
 * (`trustedGateways: ['127.0.0.1']`) unless `parts.inner` says otherwise; the outer has TLS.
 */
export async function startChain(kind: ChainKind, cert: ChainCertificate, parts: ChainParts): Promise<Chain> {
  const [outerKind, innerKind] = kind.split('>') as ['nginx' | 'haproxy', 'nginx' | 'haproxy'];
  const innerPort = await freePort();
  const outerPort = await freePort();
  const inner = await start(innerKind, innerPort, {
    upstreams: [parts.upstream],
    trustedGateways: ['127.0.0.1'],
    ...parts.inner,
  });
  const tls = outerKind === 'nginx' ? { certificate: cert.crt, key: cert.key } : { certificate: cert.bundle };
  const outer = await start(outerKind, outerPort, { upstreams: [`127.0.0.1:${innerPort}`], tls, ...parts.outer });
  return { kind, outer, inner };
}

/** A stock nginx (no Faultline file) on a free port proxying everything to `upstream`, as a CDN or ingress would. */
export async function startStockNginx(upstream: string): Promise<{ port: number; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-stock-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `pid ${dir}/nginx.pid;
error_log stderr crit;
events {}
http {
  access_log off;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${upstream};
      proxy_set_header X-Forwarded-Proto https;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'ignore',
  });
  await waitForPort(port, 5000);
  return { port, stop: () => void child.kill('SIGTERM') };
}

/** The answer's one `X-Request-ID` (empty when there is none or more than one). */
export function answerId(exchange: Exchange): string {
  const ids = exchange.headers.filter(([name]) => name === 'x-request-id');
  return ids.length === 1 ? (ids[0] as [string, string])[1] : '';
}
