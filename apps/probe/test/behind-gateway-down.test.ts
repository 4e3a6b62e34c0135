/**
 * The gateways with their services stopped: every answer is the gateway's 502/503 (HTTP), its
 * UNAVAILABLE (gRPC) or a refused upgrade (WebSocket). Nothing of the application answered, so the
 * probe never calls that clean: the run is `uncovered` (exit 2), and the gap says why.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atLeast } from '../src/index.js';
import { type Backends, GRPC_METHODS, startBackends } from './behind-gateway.js';
import { type Gateway, probeAt, startGateway, untilMarkedDown } from './behind-gateway-edge.js';

const bin = fileURLToPath(new URL('../bin/faultline-probe.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 20_000 }, (error, _stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stderr }),
    );
  });
}

describe.each(['nginx', 'haproxy'] as const)('behind %s, the services stopped', (kind) => {
  let backends: Backends;
  let gateway: Gateway;
  beforeAll(async () => {
    backends = await startBackends(true);
    gateway = await startGateway(kind, backends);
    await backends.stop();
    // HAProxy retries a refused connection a second apart until its check marks the server down.
    if (kind === 'haproxy') await untilMarkedDown(gateway, '/api/orders/1', GRPC_METHODS[0] as string);
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('HTTP, gRPC (TLS and h2c) and WebSocket: uncovered, nothing at medium or above, the gap naming why', async () => {
    const [http, grpcs, grpc, ws] = await Promise.all([
      probeAt(`http://127.0.0.1:${gateway.plain}/api/orders`, { paths: ['/api/orders/1'] }),
      probeAt(`grpcs://127.0.0.1:${gateway.tls}`, { grpcMethods: GRPC_METHODS }),
      probeAt(`grpc://127.0.0.1:${gateway.h2c}`, { grpcMethods: GRPC_METHODS }),
      probeAt(`ws://127.0.0.1:${gateway.plain}/ws`),
    ]);
    for (const run of [http, grpcs, grpc, ws]) {
      expect(run.coverage.reached, run.target).toEqual([]);
      expect(run.findings.filter((f) => atLeast(f.severity, 'medium'))).toEqual([]);
      // HAProxy answers an oversized body early and closes: the probe's write may then fail before it
      // reads that answer (at most a couple, counted closed).
      expect(run.unanswered).toMatchObject({ timeout: 0, unparseable: 0 });
      expect(run.requests - run.answered).toBeLessThanOrEqual(kind === 'haproxy' ? 2 : 0);
    }
    // HAProxy's parser page (low) makes HTTP's verdict findings; the gap is there all the same.
    expect(http.verdict).toBe(kind === 'nginx' ? 'uncovered' : 'findings');
    expect(http.coverage.gap).toMatch(
      /answered 502, 503 or 504 \(a gateway's answer when the service behind it is down/,
    );
    for (const run of [grpcs, grpc]) {
      expect(run.verdict).toBe('uncovered');
      expect(run.coverage.gap).toMatch(/answered only UNAVAILABLE or DEADLINE_EXCEEDED/);
    }
    expect(ws.coverage.gap).toMatch(/No WebSocket upgrade was accepted/);
  });

  it('the CLI exits 2 and says why on stderr', async () => {
    const { code, stderr } = await cli([
      `grpc://127.0.0.1:${gateway.h2c}`,
      '--no-discovery',
      '--grpc-method',
      GRPC_METHODS[0] as string,
      '--timeout',
      '15',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/No application method was reached: .* UNAVAILABLE/);
  });
});
