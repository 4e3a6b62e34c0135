/**
 * The generated gateways of the behind-gateway tests, started for real: nginx through
 * `@faultline/edge`'s `startNginx`, HAProxy in the foreground with `renderHaproxy`'s configuration
 * (checked with `haproxy -c` first), each with a TLS listener (HTTP/1.1 and HTTP/2, gRPC and
 * WebSocket), a plain HTTP/1.1 one and a cleartext HTTP/2 gRPC one, all on 127.0.0.1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHaproxy, startNginx } from '@faultline/edge';
import { Metadata } from '@grpc/grpc-js';
import { call, rawClient } from '../src/grpc/call.js';
import { type RunOptions, type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type Backends, freePort, SERVICE } from './behind-gateway.js';

/** A running gateway's listeners. */
export interface Gateway {
  /** TLS 1.3 (HTTP/2 over ALPN, HTTP/1.1), the HTTP routes, `/ws` and gRPC. */
  readonly tls: number;
  /** Plain HTTP/1.1: the HTTP routes and `/ws`. */
  readonly plain: number;
  /** Cleartext HTTP/2 with prior knowledge: gRPC only. */
  readonly h2c: number;
  stop(): Promise<void>;
}

/** Which gateway. */
export type GatewayKind = 'nginx' | 'haproxy';

/** A self-signed EC certificate for localhost (the probe does not verify certificates). */
function certificate(dir: string): { certificate: string; key: string; pem: string } {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'].concat([
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { stdio: 'ignore' },
  );
  const pem = join(dir, 'server.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { certificate: cert, key, pem };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits (bounded) until every port accepts connections. */
async function listening(ports: readonly number[]): Promise<void> {
  const until = Date.now() + 5000;
  for (const port of ports)
    while (!(await accepts(port))) {
      if (Date.now() > until) throw new Error(`the gateway does not listen on ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
}

/** Starts `kind` in front of `backends`; `readTimeout` (seconds) bounds a silent backend. */
export async function startGateway(kind: GatewayKind, backends: Backends): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), `faultline-probe-${kind}-`));
  const cert = certificate(dir);
  const [tls, plain, h2c] = [await freePort(), await freePort(), await freePort()];
  const common = {
    upstreams: [`127.0.0.1:${backends.http}`],
    routes: ['/api/', '/ws'],
    listen: `127.0.0.1:${tls}`,
    internalListen: [`127.0.0.1:${plain}`],
    grpc: { upstreams: [`127.0.0.1:${backends.grpc}`], services: [SERVICE], listen: [`127.0.0.1:${h2c}`] },
    readTimeout: 3,
  };
  if (kind === 'nginx') {
    const nginx = await startNginx(
      dir,
      { ...common, tls: { certificate: cert.certificate, key: cert.key }, accessLog: join(dir, 'access.log') },
      ['ignore', 'ignore', 'ignore'],
    );
    return { tls, plain, h2c, stop: nginx.stop };
  }
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(conf, renderHaproxy({ ...common, tls: { certificate: cert.pem } }));
  execFileSync('haproxy', ['-c', '-q', '-f', conf], { stdio: 'pipe' });
  const child = spawn('haproxy', ['-db', '-dR', '-f', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await listening([tls, plain, h2c]);
  return {
    tls,
    plain,
    h2c,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGUSR1');
      await exited;
    },
  };
}

/** Runs the probe against `url` with discovery off, bounded for a test (2 s a request unless `options` says). */
export function probeAt(url: string, options: RunOptions = {}): Promise<RunResult> {
  return runProbe(parseTarget(url, false), {
    noDiscovery: true,
    timeoutMs: 12_000,
    requestTimeoutMs: 2000,
    ...options,
  });
}

/** The findings of `result` above info, as `rule @ probe`. */
export function notable(result: RunResult): string[] {
  return result.findings.filter((f) => f.severity !== 'info').map((f) => `${f.rule} @ ${f.probe}`);
}

/**
 * What HAProxy 2.6's built-in 400 page (its parser's answer, before any rule: documented in
 * packages/edge) makes the probe find, at `probe`: low shape findings, no leak.
 */
export function builtIn400(probe: string): string[] {
  return ['headers/nosniff', 'headers/no-store', 'headers/content-type', 'id/missing'].map(
    (rule) => `${rule} @ ${probe}`,
  );
}

/** The status of `GET path` on 127.0.0.1:`port`, or 0 when none came within `timeoutMs`. */
function statusOf(port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

/**
 * Waits (bounded) until `gateway` answers `path` with a 503 and gRPC `method` with UNAVAILABLE at
 * once: HAProxy retries a refused connection a second apart until its checks mark the servers down.
 */
export async function untilMarkedDown(gateway: Gateway, path: string, method: string): Promise<void> {
  const until = Date.now() + 10_000;
  while ((await statusOf(gateway.plain, path, 300)) !== 503)
    if (Date.now() > until) throw new Error('the gateway never answered 503 at once');
  const client = rawClient(`127.0.0.1:${gateway.h2c}`, false);
  const signal = new AbortController().signal;
  try {
    for (;;) {
      const result = await call(client, method, Buffer.from('{}'), new Metadata(), { timeoutMs: 300, signal });
      if (result.answer?.status === 14) return;
      if (Date.now() > until) throw new Error('the gateway never answered UNAVAILABLE at once');
    }
  } finally {
    client.close();
  }
}
