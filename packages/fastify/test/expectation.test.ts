/**
 * `Expect:` values other than `100-continue` (expectation.ts): real servers on 127.0.0.1, real
 * clients (curl, Node's http and http2). Node would answer them with a bare 417 (no body, no id);
 * with the plugin the route answers, success or problem JSON with the request's id.
 */
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:http2';
import { promisify } from 'node:util';
import { isUuid } from '@faultline/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { type Answer, buildApp, expectNoSecrets } from './helpers.js';

const run = promisify(execFile);

/** Apps to close after each test. */
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** Listens on 127.0.0.1, port 0; the base URL. */
async function listen(app: FastifyInstance): Promise<string> {
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

/** One curl exchange (`-i`): status, lower-case headers, body. */
async function curl(url: string, args: readonly string[]): Promise<Answer> {
  const { stdout } = await run('curl', ['-sS', '-i', '--max-time', '10', ...args, url], { encoding: 'utf8' });
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head[0] ?? '')?.[1]), headers, body: stdout.slice(split + 4) };
}

/** One Node http exchange; with `Expect: 100-continue`, the body is sent on the server's 100. */
function exchange(url: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const method = body === undefined ? 'GET' : 'POST';
    const req = httpRequest(url, { method, headers, signal: AbortSignal.timeout(5000) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as never, body: text }));
    });
    req.on('error', reject);
    if (headers.expect === '100-continue') req.on('continue', () => req.end(body));
    else req.end(body);
  });
}

/** Asserts Faultline's 500 answer, its `X-Request-Id` the body's `request_id`. */
function expectInternal(answer: Answer): void {
  expect(answer.status).toBe(500);
  expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const id = answer.headers['x-request-id'];
  expect(isUuid(id)).toBe(true);
  expect(JSON.parse(answer.body)).toMatchObject({ status: 500, code: 'INTERNAL', request_id: id });
  expectNoSecrets(answer.body);
}

describe.each([
  ['HTTP/1.1', false, '--http1.1'],
  ['HTTP/2 (h2c prior knowledge)', true, '--http2-prior-knowledge'],
] as const)('Expect: foo over %s (curl)', (_label, http2, flag) => {
  it('reaches a succeeding route: its 200, with an id', async () => {
    const base = await listen((await buildApp({}, http2 ? ({ http2: true } as object) : {})).app);
    const answer = await curl(`${base}/ok`, [flag, '-H', 'Expect: foo']);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true });
    expect(isUuid(answer.headers['x-request-id'])).toBe(true);
  });

  it('reaches a throwing route: problem JSON, X-Request-Id equal to request_id', async () => {
    const base = await listen((await buildApp({}, http2 ? ({ http2: true } as object) : {})).app);
    expectInternal(await curl(`${base}/sync`, [flag, '-H', 'Expect: foo']));
  });
});

describe('Expect on HTTP/1.1 (Node http)', () => {
  it('answers Expect: foo and then Expect: 100-continue on the same server as the routes do', async () => {
    const base = await listen((await buildApp()).app);
    expectInternal(await exchange(`${base}/sync`, { expect: 'foo' }));
    const upload = await exchange(
      `${base}/users`,
      { expect: '100-continue', 'content-type': 'application/json' },
      '{"email":"a@b"}',
    );
    expect(upload.status).toBe(200);
    expect(JSON.parse(upload.body)).toEqual({ ok: true });
    expect(isUuid(upload.headers['x-request-id'])).toBe(true);
  });

  it('adds one listener per server, however many scopes register the plugin', async () => {
    const app = Fastify(faultlineServerOptions());
    for (const prefix of ['/a', '/b']) {
      await app.register(
        async (scope) => {
          await scope.register(faultline, { reporter: false });
          scope.get('/boom', async () => {
            throw new Error('route secret');
          });
        },
        { prefix },
      );
    }
    const base = await listen(app);
    expect(app.server.listenerCount('checkExpectation')).toBe(1);
    expectInternal(await exchange(`${base}/a/boom`, { expect: 'foo' }));
    expectInternal(await exchange(`${base}/b/boom`, { expect: 'foo' }));
  });

  it("keeps the application's own listener: none added beside one set before, and stands aside for one set after", async () => {
    let routeRuns = 0;
    const own = (_req: unknown, res: { writeHead(s: number): void; end(b: string): void }) => {
      res.writeHead(417);
      res.end('own');
    };
    const build = async (ownFirst: boolean) => {
      const app = Fastify(faultlineServerOptions());
      if (ownFirst) app.server.on('checkExpectation', own);
      await app.register(faultline, { reporter: false });
      if (!ownFirst) app.server.on('checkExpectation', own);
      app.get('/count', async () => {
        routeRuns += 1;
        return { ok: true };
      });
      return app;
    };
    const before = await build(true);
    const after = await build(false);
    expect(before.server.listeners('checkExpectation')).toEqual([own]);
    // Faultline's listener was there first: it stays, and leaves the request to the application's.
    expect(after.server.listeners('checkExpectation')).toHaveLength(2);
    for (const app of [before, after]) {
      const answer = await exchange(`${await listen(app)}/count`, { expect: 'foo' });
      expect([answer.status, answer.body]).toEqual([417, 'own']);
    }
    expect(routeRuns).toBe(0);
  });
});

describe('Expect on HTTP/2 (Node http2)', () => {
  it('reaches a throwing route: problem JSON with the id', async () => {
    const base = await listen((await buildApp({}, { http2: true } as object)).app);
    const session = connect(base);
    try {
      const answer = await new Promise<Answer>((resolve, reject) => {
        const stream = session.request({ ':path': '/sync', expect: 'foo' });
        let headers: Record<string, string> = {};
        let body = '';
        stream.on('response', (h) => {
          headers = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
        });
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          body += chunk;
        });
        stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body }));
        stream.on('error', reject);
        stream.end();
      });
      expectInternal(answer);
    } finally {
      session.close();
    }
  });
});
