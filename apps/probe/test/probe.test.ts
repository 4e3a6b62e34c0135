/**
 * The probe against real targets on loopback: it finds the leaks of stock servers (Fastify,
 * grpc-js, ws, nginx), finds nothing at medium or above on the Faultline demo, writes SARIF that
 * validates against the official 2.1.0 schema, and exits with the codes CI gates on.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpc } from '../../demo/src/grpc-service.js';
import { buildHttpApp } from '../../demo/src/http-app.js';
import { startUpstreams, type Upstreams } from '../../demo/src/upstreams.js';
import { attachWebSocket } from '../../demo/src/ws-endpoint.js';
import { atLeast, type RunResult, runProbe, toSarif } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { crashingWs, plainGrpc, protoGrpc, stockFastify, stockNginx } from './targets.js';

const run = promisify(execFile);
// The official SARIF 2.1.0 schema is JSON Schema draft-04: Ajv's draft-04 build (a CommonJS class).
const Ajv04 = createRequire(import.meta.url)('ajv-draft-04') as typeof import('ajv-draft-04').default;
const cli = fileURLToPath(new URL('../bin/faultline-probe.js', import.meta.url));
const rules = (result: RunResult) => new Set(result.findings.map((f) => f.rule));
const serious = (result: RunResult) => result.findings.filter((f) => atLeast(f.severity, 'medium'));

describe('stock servers leak, and the probe says so', () => {
  let stock: Awaited<ReturnType<typeof stockFastify>>;
  beforeAll(async () => {
    stock = await stockFastify();
  });
  afterAll(async () => {
    await stock.app.close();
  });

  it('stock Fastify: driver text, paths, reflection of the URL, missing error headers', async () => {
    const result = await runProbe(parseTarget(stock.url, false), { paths: ['/users', '/config'] });
    const found = rules(result);
    expect(found).toContain('leak/driver-pg');
    expect(found).toContain('leak/path');
    expect(found).toContain('reflect/input');
    expect(found).toContain('headers/nosniff');
    expect(found).toContain('id/missing');
    expect(result.durationMs).toBeLessThan(60_000);
  });

  it('the CLI exits 1 on findings, prints JSON and SARIF that validates against the SARIF 2.1.0 schema', async () => {
    const json = await run(process.execPath, [cli, stock.url, '--path', '/users', '--no-discovery', '--json']).then(
      () => expect.unreachable('exit code 0 despite findings'),
      (error: { code: number; stdout: string }) => error,
    );
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as RunResult).findings.length).toBeGreaterThan(0);
    const sarif = await run(process.execPath, [cli, stock.url, '--path', '/users', '--no-discovery', '--sarif']).catch(
      (error: { stdout: string }) => error,
    );
    const schemaPath = join(
      createRequire(import.meta.url).resolve('@microsoft/jest-sarif/package.json'),
      '../lib/schemas/sarif-2.1.0-rtm.5.json',
    );
    // The official SARIF 2.1.0 schema is JSON Schema draft-04.
    const ajv = new Ajv04({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    const log = JSON.parse(sarif.stdout) as object;
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const empty = {
      target: 'http://127.0.0.1:1',
      findings: [],
      requests: 1,
      answered: 1,
      unanswered: { timeout: 0, closed: 0, unparseable: 0, refused: 0, aborted: 0 },
      discovered: [],
      durationMs: 1,
      timedOut: false,
      incomplete: false,
    };
    expect(
      toSarif({ ...empty, verdict: 'clean', coverage: { reached: ['GET /'], notServed: [] } }, '0.1.0'),
    ).toMatchObject({ version: '2.1.0' });
    // None of the application reached: a warning notification carries the gap, and the log still validates.
    const uncovered = toSarif(
      {
        ...empty,
        verdict: 'uncovered',
        coverage: { reached: [], notServed: [], gap: 'No application route was reached.' },
      },
      '0.1.0',
    );
    expect(validate(uncovered), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(JSON.stringify(uncovered)).toContain('"toolExecutionNotifications":[{"level":"warning"');
  });

  it('plain grpc-js passing raw errors to callback: the details leak', async () => {
    const { port, server } = await plainGrpc();
    try {
      const result = await runProbe(parseTarget(`grpc://127.0.0.1:${port}`, false), {
        grpcMethods: ['/shop.Orders/Create'],
      });
      const found = rules(result);
      expect(found).toContain('leak/driver-pg');
      expect(found).toContain('leak/private-ip');
      expect(found).toContain('id/missing');
    } finally {
      server.forceShutdown();
    }
  });

  it.each([
    ['server reflection', true],
    ['a .proto file', false],
  ])('gRPC methods found through %s are probed: the details leak', async (_label, reflection) => {
    const { port, server, proto } = await protoGrpc(reflection);
    try {
      const result = await runProbe(
        parseTarget(`grpc://127.0.0.1:${port}`, false),
        reflection ? {} : { protoFile: proto },
      );
      expect(result.findings.some((f) => f.rule === 'leak/driver-pg' && f.location === '/shop.Orders/Create')).toBe(
        true,
      );
      expect(rules(result)).toContain('leak/orm');
    } finally {
      server.forceShutdown();
    }
  });

  it('a plain ws server that crashes on a handler throw: the crash is reported', async () => {
    const { port, child } = await crashingWs();
    try {
      const result = await runProbe(parseTarget(`ws://127.0.0.1:${port}/`, false));
      expect(
        [...rules(result)].some((rule) => rule === 'availability/crash' || rule === 'availability/abnormal-close'),
      ).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("nginx's default error page: the version string is found", async () => {
    const nginx = await stockNginx();
    try {
      const result = await runProbe(parseTarget(`http://127.0.0.1:${nginx.port}`, false));
      expect(rules(result)).toContain('leak/version');
      expect(result.findings.some((f) => /nginx\/\d/.test(f.evidence ?? ''))).toBe(true);
    } finally {
      await nginx.stop();
    }
  });
});

describe('the Faultline demo is clean', () => {
  let upstreams: Upstreams;
  let http: FastifyInstance;
  let grpcServer: Awaited<ReturnType<typeof startGrpc>>['server'];
  let base = '';
  let grpcPort = 0;
  beforeAll(async () => {
    upstreams = await startUpstreams();
    http = await buildHttpApp({ upstreams, logLevel: 'silent' });
    attachWebSocket(http.server, upstreams);
    await http.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(http.server.address() as { port: number }).port}`;
    // Port 0: the kernel picks a free port (a random one collided with other suites' servers).
    const started = await startGrpc(0, upstreams);
    grpcServer = started.server;
    grpcPort = started.port;
  });
  afterAll(async () => {
    grpcServer?.forceShutdown();
    await http.close();
    await upstreams.close();
  });

  it('HTTP: no finding at medium or above', async () => {
    const result = await runProbe(parseTarget(base, false), { paths: ['/orders', '/orders/1', '/debug/hostile'] });
    expect(serious(result)).toEqual([]);
  });

  it('HTTP: the demo does not conceal 403 (concealForbidden is off), and the existence oracle shows it', async () => {
    const result = await runProbe(parseTarget(base, false), { forbidden: '/admin/orders' });
    expect(rules(result)).toContain('oracle/existence');
  });

  it('HTTP/2 (h2c): no finding at medium or above', async () => {
    const h2 = await buildHttpApp({ upstreams, http2: true, logLevel: 'silent' });
    await h2.listen({ port: 0, host: '127.0.0.1' });
    try {
      const result = await runProbe(
        parseTarget(`http://127.0.0.1:${(h2.server.address() as { port: number }).port}`, false),
        {
          http2: true,
          paths: ['/orders', '/orders/1'],
        },
      );
      // Over HTTP/2 every probe that HTTP/2 can carry is answered (invalid UTF-8 in a path cannot be sent).
      expect(result.answered).toBeGreaterThan(25);
      expect(serious(result)).toEqual([]);
    } finally {
      await h2.close();
    }
  });

  it('gRPC: no finding at medium or above', async () => {
    const result = await runProbe(parseTarget(`grpc://127.0.0.1:${grpcPort}`, false), {
      grpcMethods: ['/demo.Orders/GetOrder', '/demo.Orders/CreateOrder'],
    });
    expect(serious(result)).toEqual([]);
  });

  it('WebSocket: no finding at medium or above', async () => {
    const result = await runProbe(parseTarget(`${base.replace('http', 'ws')}/ws?token=demo`, false));
    expect(serious(result)).toEqual([]);
  });
});

describe('targets and usage', () => {
  it('refuses a non-loopback target without --allow-remote, bad usage and an unreachable target, with exit code 2', async () => {
    const outcomes = await Promise.all(
      [
        ['http://10.1.2.3:80'],
        ['ftp://127.0.0.1'],
        [],
        ['http://127.0.0.1:1', '--fail-on', 'extreme'],
        ['http://127.0.0.1:1'],
      ].map((args) =>
        run(process.execPath, [cli, ...args]).then(
          () => ({ code: 0 }),
          (error: { code: number }) => error,
        ),
      ),
    );
    for (const outcome of outcomes) expect(outcome.code).toBe(2);
  });
});
