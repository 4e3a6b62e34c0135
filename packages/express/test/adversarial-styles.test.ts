/**
 * Failure styles that leave the response in a state of the route's making, on real Express 5 and
 * Express 4 servers over raw sockets: a reason phrase set before the error (by the route, or an
 * application error middleware that copies the error's message into it), a `Trailer` or
 * `Transfer-Encoding` header the route set for a body it meant to stream, an answer the route had
 * already ended before it threw (left whole, the connection kept for the next request), a POST
 * that method-override turned into a HEAD (framed as the POST it is on the wire), headers a thrown
 * http-errors value carries, Express's own skip words thrown through `asyncHandler`, and a HEAD
 * on a server that throws on body writes to bodyless answers. Every answer is checked on its raw
 * bytes.
 */
import { createServer, type RequestListener, type ServerOptions } from 'node:http';
import { rawHttpExchange, recordFor } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncHandler, faultline } from '../src/index.js';
import type { ExpressResponse, NextFunction } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';

const SECRET = 'hunter2-adversarial';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BIG = 32 * 1024 * 1024;

/** The answers in `raw` (several when pipelined): status line, header lines, body. */
function answers(raw: string): { status: string; lines: string[]; body: string }[] {
  const out: { status: string; lines: string[]; body: string }[] = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const [status = '', ...lines] = rest.slice(0, end).split('\r\n');
    const length = Number(lines.find((l) => l.toLowerCase().startsWith('content-length:'))?.slice(15) ?? 0);
    out.push({ status, lines, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

describe.each([5, 4] as Major[])('Express %i: responses the route left half made', (major) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    const factory = (major === 5 ? express5 : express4) as unknown as { Router(): ExpressLikeRouter };
    app = await startApp(major, (a) => {
      a.get('/reason', (_req: unknown, res: ExpressResponse) => {
        res.statusMessage = `Missing table orders_private ${SECRET}`;
        throw Object.assign(new Error('no row'), { status: 404 });
      });
      const copying = factory.Router();
      copying.get('/', (_req: unknown, _res: unknown, next: NextFunction) => next(new Error(`first ${SECRET}`)));
      // An application error middleware that passes on, after writing the message into the reason.
      copying.use((error: Error, _req: unknown, res: ExpressResponse, next: NextFunction) => {
        res.statusCode = 418;
        res.statusMessage = error.message;
        next(new Error('second'));
      });
      a.use('/copying', copying);
      a.get('/trailer', (_req: unknown, res: ExpressResponse) => {
        res.setHeader('Trailer', 'Server-Timing');
        throw new Error(`before the stream ${SECRET}`);
      });
      a.get('/chunked', (_req: unknown, res: ExpressResponse) => {
        res.setHeader('Transfer-Encoding', 'chunked');
        throw new Error(`before the stream ${SECRET}`);
      });
      a.get('/ended-then-throw', (_req: unknown, res: ExpressResponse) => {
        res.end('{"ok":true}');
        throw new Error(`audit write failed ${SECRET}`);
      });
      a.get('/big-then-throw', (_req: unknown, res: ExpressResponse) => {
        res.end(Buffer.alloc(BIG, 97));
        throw new Error(`late ${SECRET}`);
      });
      a.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
      // What method-override does with `X-HTTP-Method-Override: HEAD` on a POST.
      a.use(
        '/override',
        (req: { method: string; headers: Record<string, unknown> }, _res: unknown, next: NextFunction) => {
          const override = req.headers['x-http-method-override'];
          if (req.method === 'POST' && typeof override === 'string') req.method = override.toUpperCase();
          next();
        },
      );
      a.head('/override/fail', () => {
        throw new Error(`override ${SECRET}`);
      });
      a.get('/carried/:status', (req: { params: { status: string } }) => {
        // http-errors style: `headers` for the answer it describes, `expose` with a secret message.
        throw Object.assign(new Error(`carried ${SECRET}`), {
          status: Number(req.params.status),
          expose: true,
          headers: {
            'Set-Cookie': `session=${SECRET}; Path=/`,
            Location: `https://vault.internal/${SECRET}`,
            'Retry-After': `Wed, 21 Oct 2015 07:28:00 GMT ${SECRET}`,
            Refresh: `0; url=https://vault.internal/${SECRET}`,
          },
        });
      });
      for (const word of ['route', 'router']) {
        a.get(
          `/skip-${word}`,
          asyncHandler(async () => {
            throw word;
          }),
        );
        a.get(`/skip-${word}`, (_req: unknown, res: ExpressResponse) => res.end(`the next route ran ${SECRET}`));
      }
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  const get = (path: string) => rawHttpExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

  /** One problem answer with `status`, no secret anywhere in its bytes, and a record under its id. */
  async function expectProblem(raw: string, status: string) {
    expect(raw).not.toMatch(/hunter2|orders_private|<html/i);
    const [answer, ...more] = answers(raw);
    expect(more).toEqual([]);
    expect(answer?.status).toBe(`HTTP/1.1 ${status}`);
    const id = headerValue(answer?.lines ?? [], 'x-request-id');
    expect(id).toMatch(UUID);
    expect(headerValue(answer?.lines ?? [], 'content-type')).toBe('application/problem+json; charset=utf-8');
    expect((JSON.parse(answer?.body ?? '') as { request_id: string }).request_id).toBe(id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recordFor(app.records, id)).toBeDefined();
    return answer as { lines: string[]; body: string };
  }

  it('a reason phrase the route set never reaches the status line', async () => {
    await expectProblem(await get('/reason'), '404 Not Found');
  });

  it('nor one an application error middleware copied the message into', async () => {
    await expectProblem(await get('/copying'), '500 Internal Server Error');
  });

  it('a Trailer header the route set: still answered (Node refuses to end it otherwise)', async () => {
    const answer = await expectProblem(await get('/trailer'), '500 Internal Server Error');
    expect(headerValue(answer.lines, 'trailer')).toBeUndefined();
  });

  it('a Transfer-Encoding the route set: framed by Content-Length alone', async () => {
    const raw = await get('/chunked');
    const answer = await expectProblem(raw, '500 Internal Server Error');
    expect(headerValue(answer.lines, 'transfer-encoding')).toBeUndefined();
    expect(Number(headerValue(answer.lines, 'content-length'))).toBe(Buffer.byteLength(answer.body));
    expect(raw.endsWith(answer.body)).toBe(true);
  });

  it('an answer ended before the throw is left whole, and its connection serves the next request', async () => {
    const raw = await rawHttpExchange(
      port,
      'GET /ended-then-throw HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(answers(raw).map((a) => [a.status, a.body])).toEqual([
      ['HTTP/1.1 200 OK', '{"ok":true}'],
      ['HTTP/1.1 200 OK', 'fine'],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(JSON.stringify(app.records)).toContain('audit write failed');
  });

  it('a large answer ended before the throw reaches the client in full', async () => {
    const response = await fetch(`${app.url}/big-then-throw`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(BIG);
  });

  it.each(['/override/fail', '/override/missing'])(
    'a POST rewritten to HEAD (%s) still gets its body: the next answer on the connection stays its own',
    async (path) => {
      const raw = await rawHttpExchange(
        port,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nX-HTTP-Method-Override: HEAD\r\nContent-Length: 0\r\n\r\n` +
          'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      const [first, second, ...more] = answers(raw);
      expect(more).toEqual([]);
      expect(first?.status).toMatch(/^HTTP\/1\.1 (500|404) /);
      expect((JSON.parse(first?.body ?? '') as { request_id: string }).request_id).toBe(
        headerValue(first?.lines ?? [], 'x-request-id'),
      );
      expect([second?.status, second?.body]).toEqual(['HTTP/1.1 200 OK', 'fine']);
    },
  );

  it.each([
    ['302', '500 Internal Server Error'],
    ['401', '401 Unauthorized'],
    ['429', '429 Too Many Requests'],
    ['503', '500 Internal Server Error'],
  ])('headers a thrown %s carries never reach the answer', async (status, line) => {
    const raw = await get(`/carried/${status}`);
    const answer = await expectProblem(raw, line);
    expect(raw).not.toMatch(/set-cookie|location|refresh|vault|GMT \S/i);
    const retryAfter = headerValue(answer.lines, 'retry-after');
    if (retryAfter !== undefined) expect(retryAfter).toMatch(/^\d+$/);
  });

  it.each(['route', 'router'])("a thrown '%s' is a server failure, not Express's skip word", async (word) => {
    await expectProblem(await get(`/skip-${word}`), '500 Internal Server Error');
  });
});

/** `Router()` of either major, as the tests use it. */
interface ExpressLikeRouter {
  get(path: string, ...handlers: unknown[]): unknown;
  use(...handlers: unknown[]): unknown;
}

describe.each([5, 4] as Major[])('Express %i on a server with rejectNonStandardBodyWrites', (major) => {
  it('a HEAD on an error path is answered with the head alone (writing its body would throw)', async () => {
    const fl = faultline({ reporter: false });
    const app = ((major === 5 ? express5 : express4) as unknown as () => unknown)() as RequestListener &
      ExpressLikeRouter;
    app.use(fl.requestId);
    app.get('/fail', () => {
      throw new Error(`fail ${SECRET}`);
    });
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    const server = createServer({ rejectNonStandardBodyWrites: true } as ServerOptions, app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (server.address() as { port: number }).port;
      for (const path of ['/fail', '/missing']) {
        const raw = await rawHttpExchange(port, `HEAD ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        expect(raw).toMatch(/^HTTP\/1\.1 (500|404) /);
        expect(raw.endsWith('\r\n\r\n')).toBe(true);
        expect(headerValue(raw.split('\r\n'), 'x-request-id')).toMatch(UUID);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
