/**
 * Hostile requests and ids on real Express 5 and Express 4 servers over raw sockets: an id the
 * application assigns from the request (`req.id = req.query.t`, pino-http's `genReqId` echoing a
 * header) is answered only when header-safe; hostile incoming `X-Request-ID` headers (10 KB,
 * repeated) are replaced and logged bounded, one smuggling a header after a bare LF is refused; HEAD on every error path
 * sends no body; an `app.param` callback's throw and an error middleware's new value are answered
 * under one id; a client that leaves while its error is on the way is logged as a cancellation;
 * a getter-only `id` the application put on its request prototype fails no request.
 */
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { rawHttpExchange, recordFor } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../src/index.js';
import type { ExpressRequest, ExpressResponse, NextFunction } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';

const SECRET = 'hunter2-requests';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const VALID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';

/** Status line, header lines and body of one raw answer. */
function parse(raw: string): { status: string; lines: string[]; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const [status = '', ...lines] = raw.slice(0, end).split('\r\n');
  return { status, lines, body: raw.slice(end + 4) };
}

describe.each([5, 4] as Major[])('Express %i: hostile requests', (major) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    app = await startApp(major, (a) => {
      a.get('/assigned', (req: ExpressRequest & { query: { t?: string } }, _res: unknown, next: NextFunction) => {
        req.id = String(req.query.t);
        next(new Error(`assigned ${SECRET}`));
      });
      a.get('/echoed', (req: ExpressRequest, _res: unknown, next: NextFunction) => {
        req.id = req.headers['x-correlation-id'];
        next(new Error(`echoed ${SECRET}`));
      });
      a.get('/fail', () => {
        throw new Error(`fail ${SECRET}`);
      });
      (a as unknown as { param(name: string, fn: unknown): void }).param('order', () => {
        throw Object.assign(new Error(`order lookup in orders_private ${SECRET}`), { status: 404 });
      });
      a.get('/orders/:order', (_req: unknown, res: ExpressResponse) => res.end('unreachable'));
      a.get(
        '/replaced',
        (_req: unknown, _res: unknown, next: NextFunction) => next(new Error(`first ${SECRET}`)),
        // An application error middleware that passes a new value on.
        (_error: unknown, _req: unknown, _res: unknown, next: NextFunction) =>
          next(Object.assign(new Error(`second ${SECRET}`), { status: 409 })),
      );
      a.get('/slow', async (_req: unknown, _res: unknown, next: NextFunction) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        next(new DOMException(`gave up ${SECRET}`, 'AbortError'));
      });
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  const send = (path: string, extra = '', method = 'GET') =>
    rawHttpExchange(port, `${method} ${path} HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`);

  /** A problem answer with `status` and one id (header and body agree), no secret in its bytes. */
  function expectProblem(raw: string, status: number): string {
    expect(raw).not.toMatch(/hunter2|orders_private|set-cookie|<html/i);
    const { status: line, lines, body } = parse(raw);
    expect(line.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    const id = headerValue(lines, 'x-request-id') ?? '';
    const parsed = JSON.parse(body) as { status: number; request_id: string };
    expect(parsed.status).toBe(status);
    expect(parsed.request_id).toBe(id);
    return id;
  }

  async function recordOf(id: string): Promise<Record<string, unknown>> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const record = recordFor(app.records, id);
    expect(record).toBeDefined();
    return record as Record<string, unknown>;
  }

  it.each([
    ['CR LF', '/assigned?t=a%0d%0aSet-Cookie:%20s=hunter2'],
    ['a character above U+00FF', '/assigned?t=%E2%82%AC'],
    ['129 characters', `/assigned?t=${'i'.repeat(129)}`],
  ])('an id the application assigned with %s is not answered: the middleware’s id is', async (_label, path) => {
    const id = expectProblem(await send(path), 500);
    expect(id).toMatch(UUID);
    await recordOf(id);
  });

  it('an id the application echoed from a 10 KB header is not answered either', async () => {
    const raw = await send('/echoed', `X-Correlation-ID: ${'z'.repeat(10_000)}\r\n`);
    expect(raw.length).toBeLessThan(1000);
    expect(expectProblem(raw, 500)).toMatch(UUID);
  });

  it('a header-safe id the application assigned is answered as is', async () => {
    expect(expectProblem(await send('/assigned?t=req-42.a_b:c'), 500)).toBe('req-42.a_b:c');
  });

  it.each([
    ['10 KB', `X-Request-ID: ${'a'.repeat(10_000)}\r\n`],
    ['repeated', `X-Request-ID: ${VALID}\r\nX-Request-ID: ${VALID}\r\n`],
  ])('an incoming X-Request-ID %s is replaced, and logged bounded', async (_label, extra) => {
    const id = expectProblem(await send('/fail', extra), 500);
    expect(id).toMatch(UUID);
    expect(id).not.toBe(VALID);
    const rejected = String((await recordOf(id)).rejected_request_id);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.length).toBeLessThanOrEqual(80);
  });

  it('a bare LF smuggling a header after X-Request-ID: a 400 from clientError, nothing echoed', async () => {
    const raw = await send('/fail', `X-Request-ID: ${VALID}\nSet-Cookie: s=${SECRET}\r\n`);
    expect(expectProblem(raw, 400)).toMatch(UUID);
  });

  it.each(['/fail', '/missing', '/orders/7', '/replaced'])(
    'HEAD %s: the head of the GET answer, no body',
    async (path) => {
      const get = parse(await send(path));
      const head = parse(await send(path, '', 'HEAD'));
      expect(head.status).toBe(get.status);
      expect(head.body).toBe('');
      expect(headerValue(head.lines, 'content-length')).toBe(String(Buffer.byteLength(get.body)));
      expect(headerValue(head.lines, 'x-request-id')).toMatch(UUID);
    },
  );

  it('a throw from an app.param callback is answered by its status', async () => {
    const id = expectProblem(await send('/orders/7'), 404);
    expect(String((await recordOf(id)).error_type)).toBe('Error');
  });

  it('a new value from an application error middleware is answered, under the request’s id', async () => {
    const id = expectProblem(await send('/replaced'), 409);
    expect(JSON.stringify(await recordOf(id))).toContain('second');
  });

  it('a client that leaves before its error is answered: logged as a cancellation, the server goes on', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
        setTimeout(() => socket.destroy(), 30);
      });
      socket.on('close', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(app.records.some((r) => r.code === 'CANCELLED' && r.status === 499)).toBe(true);
    expectProblem(await send('/fail'), 500);
  });
});

describe.each([5, 4] as Major[])('Express %i: an `id` the application made getter-only', (major) => {
  it('does not fail every request; errors answer with the application’s id, header and body alike', async () => {
    const fl = faultline({ reporter: false });
    const app = ((major === 5 ? express5 : express4) as unknown as () => unknown)() as {
      request: object;
      use(...handlers: unknown[]): void;
      get(path: string, handler: unknown): void;
      listen(port: number, host: string, callback: () => void): Server;
    };
    Object.defineProperty(app.request, 'id', { get: () => 'theirs-1', configurable: true });
    app.use(fl.requestId);
    app.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
    app.get('/fail', () => {
      throw new Error(`fail ${SECRET}`);
    });
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const port = (server.address() as { port: number }).port;
      const send = (path: string) =>
        rawHttpExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`).then(parse);
      const ok = await send('/ok');
      expect([ok.status, ok.body]).toEqual(['HTTP/1.1 200 OK', 'fine']);
      expect(headerValue(ok.lines, 'x-request-id')).toMatch(UUID);
      const failed = await send('/fail');
      expect(failed.status).toBe('HTTP/1.1 500 Internal Server Error');
      expect(headerValue(failed.lines, 'x-request-id')).toBe('theirs-1');
      expect((JSON.parse(failed.body) as { request_id: string }).request_id).toBe('theirs-1');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
