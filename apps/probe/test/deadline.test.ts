/**
 * The deadline is a deadline, and silence is never clean: the CLI (a child process) against
 * servers that never answer or drip ends at its --timeout on every protocol (it says it timed out,
 * and sent only the requests of its first moments), marks its results incomplete, and never exits 0;
 * one that floods is read in bounded pieces (every answer unparseable, none waited out). A target
 * that answers some probes and not others says how many went unanswered. Nothing here is timed by
 * the test: what the probe reports shows whether it kept its deadline (ignored, the run would send
 * hundreds of requests, each waited out, and the child would be killed at its safety limit).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { drippingServer, floodingServer, type Hostile, halfSilentServer, silentServer } from './hostile.js';

const cli = fileURLToPath(new URL('../bin/faultline-probe.js', import.meta.url));

/** Runs the CLI with `args` (killed at a safety limit: -1); its exit code and JSON report (when --json). */
function probe(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The most requests a run may send before a deadline of a second or less against a target that
 * never answers: the first wave of each protocol's pool (8 HTTP exchanges, 5 WebSocket sessions, the
 * gRPC discovery calls), with room to spare, far under what a run that ignored its deadline sends.
 */
const FIRST_MOMENT_REQUESTS = 24;

/** A grpc-js server whose one method never calls back (and no reflection, no health). */
async function hangingGrpc(): Promise<{ port: number; server: Server }> {
  const server = new Server();
  const same = (b: Buffer) => b;
  server.addService(
    {
      Hang: {
        path: '/hang.Svc/Hang',
        requestStream: false,
        responseStream: false,
        requestSerialize: same,
        requestDeserialize: same,
        responseSerialize: same,
        responseDeserialize: same,
      },
    },
    { Hang: (_call: unknown, _callback: sendUnaryData<Buffer>) => undefined } as UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port, server };
}

describe('the deadline, per protocol', () => {
  let silent: Hostile;
  let dripping: Hostile;
  let grpc: Awaited<ReturnType<typeof hangingGrpc>>;
  beforeAll(async () => {
    [silent, dripping, grpc] = await Promise.all([silentServer(), drippingServer(), hangingGrpc()]);
  });
  afterAll(async () => {
    grpc.server.forceShutdown();
    await Promise.all([silent.close(), dripping.close()]);
  });

  it.each([
    ['HTTP/1.1, a server that accepts and never writes', () => `http://127.0.0.1:${silent.port}`, []],
    ['HTTP/1.1, a server that drips a byte every 50 ms', () => `http://127.0.0.1:${dripping.port}`, []],
    ['HTTP/2, a server that accepts and never writes', () => `http://127.0.0.1:${silent.port}`, ['--http2']],
    ['WebSocket, a server that never answers', () => `ws://127.0.0.1:${silent.port}/ws`, []],
    ['gRPC, a server that never answers', () => `grpc://127.0.0.1:${silent.port}`, []],
    [
      'gRPC, a method that never calls back',
      () => `grpc://127.0.0.1:${grpc.port}`,
      ['--grpc-method', '/hang.Svc/Hang'],
    ],
  ])(
    '%s: ends at --timeout (timed out, only its first requests sent), not clean',
    { concurrent: true },
    async (_label, url, extra) => {
      const outcome = await probe([url(), '--timeout', '1', '--json', ...extra]);
      expect(outcome.code).not.toBe(0);
      expect(outcome.code).not.toBe(-1);
      const report = JSON.parse(outcome.stdout) as RunResult;
      expect(report.timedOut).toBe(true);
      expect(report.incomplete).toBe(true);
      expect(report.verdict).not.toBe('clean');
      expect(report.requests).toBeLessThanOrEqual(FIRST_MOMENT_REQUESTS);
      if (report.answered === 0) expect(outcome.code).toBe(2);
    },
  );

  it.each([
    ['HTTP/1.1', drippingServer, (port: number) => `http://127.0.0.1:${port}`, {}],
    ['HTTP/2', silentServer, (port: number) => `http://127.0.0.1:${port}`, { http2: true }],
    ['WebSocket', silentServer, (port: number) => `ws://127.0.0.1:${port}/ws`, {}],
    ['gRPC', silentServer, (port: number) => `grpc://127.0.0.1:${port}`, {}],
  ])(
    '%s in process: the run returns at its deadline and no connection stays open',
    { concurrent: true },
    async (_label, serve, url, extra) => {
      // A server of its own: what stays open is this run's alone.
      const server = await serve();
      try {
        const result = await runProbe(parseTarget(url(server.port), false), { timeoutMs: 800, ...extra });
        expect(result.timedOut).toBe(true);
        expect(result.incomplete).toBe(true);
        expect(result.requests).toBeLessThanOrEqual(FIRST_MOMENT_REQUESTS);
        // Every in-flight exchange was aborted and its socket destroyed: the server sees them close
        // (polled, bounded: a loaded machine may deliver the closes late).
        const until = Date.now() + 5000;
        while (server.open() > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(server.open()).toBe(0);
      } finally {
        await server.close();
      }
    },
  );
});

describe('answers that cannot be read', () => {
  let flooding: Hostile;
  let halfSilent: Hostile;
  beforeAll(async () => {
    [flooding, halfSilent] = await Promise.all([floodingServer(), halfSilentServer()]);
  });
  afterAll(async () => {
    await Promise.all([flooding.close(), halfSilent.close()]);
  });

  it('HTTP/1.1 500 X and endless header lines: bounded, reported unparseable, exit 2, never "No findings"', async () => {
    const outcome = await probe([`http://127.0.0.1:${flooding.port}`, '--timeout', '20', '--max-requests', '40']);
    expect(outcome.code).toBe(2);
    // Every request ended unparseable at a bound of the head (none waited out, the run not timed out).
    const [, requests, unparseable] =
      /: (\d+) requests, 0 answered, \d+ unanswered[\s\S]*\nunanswered: (\d+) unparseable\n/.exec(outcome.stdout) ?? [];
    expect(Number(requests)).toBeGreaterThan(0);
    expect(Number(requests)).toBeLessThanOrEqual(40);
    expect(unparseable).toBe(requests);
    expect(outcome.stdout).not.toContain('TIMED OUT');
    expect(outcome.stdout).not.toContain('No findings');
    expect(outcome.stdout).toContain('protocol/unparseable');
    expect(outcome.stdout).toMatch(/more than 100 header fields|head over 65536 bytes/);
    expect(outcome.stdout).toContain('INCONCLUSIVE');
  });

  it('some probes answered, some not: how many went unanswered is a finding', async () => {
    const result = await runProbe(parseTarget(`http://127.0.0.1:${halfSilent.port}`, false), {
      noDiscovery: true,
      requestTimeoutMs: 300,
      timeoutMs: 20_000,
    });
    expect(result.answered).toBeGreaterThan(0);
    expect(result.unanswered.timeout).toBeGreaterThan(0);
    const finding = result.findings.find((f) => f.rule === 'availability/unanswered');
    expect(finding?.severity).toBe('medium');
    expect(finding?.message).toMatch(
      new RegExp(`^${result.unanswered.timeout + result.unanswered.closed} of ${result.requests} probes`),
    );
    expect(result.verdict).toBe('findings');
  });
});
