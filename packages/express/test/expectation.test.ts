/**
 * `Expect:` values other than `100-continue` (expectation.ts): they reach the app (the route's
 * success, or problem JSON with the request's id) instead of Node's bare 417, on the server
 * `app.listen` makes for an app given as `faultline({ app })` from its first request on, and on
 * any other server (`http.createServer(app)`, or no `app` option) from the request after its
 * first through `fl.requestId`. Real Express 5 and 4 servers on 127.0.0.1, real clients (curl,
 * Node's http).
 */
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import { promisify } from 'node:util';
import { isUuid } from '@faultline/core';
import express5 from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { faultline } from '../src/index.js';
import type { ExpressResponse } from '../src/types.js';
import type { ExpressLike, Major } from './helpers.js';

const run = promisify(execFile);

/** An answer as a test reads it. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Counts of the `/count` route's runs. */
let routeRuns = 0;

/**
 * How the server is made: `app.listen` without the `app` option, `app.listen` with it (the
 * README's wiring), or `http.createServer(app)` with it.
 */
type Wiring = 'listen' | 'listen-app' | 'createServer';

/** An app wired as the README shows (by default without the `app` option), listening on 127.0.0.1 port 0. */
async function start(major: Major, wiring: Wiring = 'listen'): Promise<{ server: Server; base: string }> {
  const factory = (major === 5 ? express5 : express4) as unknown as (() => ExpressLike) & { json(): unknown };
  const app = factory();
  const fl = faultline({ reporter: false, ...(wiring === 'listen' ? {} : { app }) });
  app.use(fl.requestId);
  app.use(factory.json());
  app.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
  app.get('/count', (_req: unknown, res: ExpressResponse) => {
    routeRuns += 1;
    res.end('counted');
  });
  app.get('/boom', () => {
    throw new Error('route secret hunter2');
  });
  app.post('/echo', (req: { body?: unknown }, res: ExpressResponse) => res.end(JSON.stringify(req.body)));
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  const server = await new Promise<Server>((resolve) => {
    const s =
      wiring === 'createServer'
        ? createServer(app as unknown as RequestListener).listen(0, '127.0.0.1', () => resolve(s))
        : app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return { server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** One Node http exchange; with `Expect: 100-continue`, the body is sent on the server's 100. */
function exchange(url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
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

/** One curl exchange over HTTP/1.1 (`-i`): status, lower-case headers, body. */
async function curl(url: string, args: readonly string[]): Promise<Answer> {
  const { stdout } = await run('curl', ['-sS', '-i', '--http1.1', '--max-time', '10', ...args, url], {
    encoding: 'utf8',
  });
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head[0] ?? '')?.[1]), headers, body: stdout.slice(split + 4) };
}

/** Asserts Faultline's 500 answer, its `X-Request-Id` the body's `request_id`. */
function expectInternal(answer: Answer): void {
  expect(answer.status).toBe(500);
  expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const id = answer.headers['x-request-id'];
  expect(isUuid(id)).toBe(true);
  expect(JSON.parse(answer.body)).toMatchObject({ status: 500, code: 'INTERNAL', request_id: id });
  expect(answer.body).not.toContain('hunter2');
}

describe.each([5, 4] as const)('Express %i', (major) => {
  it('Expect: foo reaches a succeeding route (curl): its 200, with an id', async () => {
    const { base } = await start(major);
    expect((await exchange(`${base}/ok`)).status).toBe(200);
    const answer = await curl(`${base}/ok`, ['-H', 'Expect: foo']);
    expect([answer.status, answer.body]).toEqual([200, 'fine']);
    expect(isUuid(answer.headers['x-request-id'])).toBe(true);
  });

  it('Expect: foo reaches a throwing route (curl and Node http): problem JSON, X-Request-Id equal to request_id', async () => {
    const { base } = await start(major);
    await exchange(`${base}/ok`);
    expectInternal(await curl(`${base}/boom`, ['-H', 'Expect: foo']));
    expectInternal(await exchange(`${base}/boom`, { expect: 'foo' }));
  });

  it('answers Expect: foo and Expect: 100-continue as the routes do, one listener per server', async () => {
    const { server, base } = await start(major);
    await exchange(`${base}/ok`);
    await exchange(`${base}/ok`);
    expect(server.listenerCount('checkExpectation')).toBe(1);
    expectInternal(await exchange(`${base}/boom`, { expect: 'foo' }));
    const upload = await exchange(
      `${base}/echo`,
      { expect: '100-continue', 'content-type': 'application/json' },
      '{"a":1}',
    );
    expect([upload.status, upload.body]).toEqual([200, '{"a":1}']);
    expect(isUuid(upload.headers['x-request-id'])).toBe(true);
  });

  it.each(['listen', 'createServer'] as const)(
    "%s: before the server's first request Node still answers 417; from it on, the route does",
    async (wiring) => {
      const { base } = await start(major, wiring);
      const first = await exchange(`${base}/ok`, { expect: 'foo' });
      expect([first.status, first.body, first.headers['x-request-id']]).toEqual([417, '', undefined]);
      await exchange(`${base}/ok`);
      expect((await exchange(`${base}/ok`, { expect: 'foo' })).body).toBe('fine');
    },
  );

  it("with faultline({ app }), app.listen's server hands the very first request's Expect: foo to the route", async () => {
    const { server, base } = await start(major, 'listen-app');
    expect(server.listenerCount('checkExpectation')).toBe(1);
    expectInternal(await exchange(`${base}/boom`, { expect: 'foo' }));
    const ok = await exchange(`${base}/ok`, { expect: 'foo' });
    expect([ok.status, ok.body]).toEqual([200, 'fine']);
    expect(server.listenerCount('checkExpectation')).toBe(1);
  });

  it("keeps the application's own listener: none added beside one set before, and stands aside for one set after", async () => {
    routeRuns = 0;
    const own = (_req: unknown, res: ExpressResponse) => {
      res.writeHead(417);
      res.end('own');
    };
    const before = await start(major);
    before.server.on('checkExpectation', own);
    await exchange(`${before.base}/ok`);
    expect(before.server.listeners('checkExpectation')).toEqual([own]);
    const after = await start(major);
    await exchange(`${after.base}/ok`);
    after.server.on('checkExpectation', own);
    // Faultline's listener was there first: it stays, and leaves the request to the application's.
    expect(after.server.listeners('checkExpectation')).toHaveLength(2);
    for (const { base } of [before, after]) {
      const answer = await exchange(`${base}/count`, { expect: 'foo' });
      expect([answer.status, answer.body]).toEqual([417, 'own']);
    }
    expect(routeRuns).toBe(0);
  });
});
