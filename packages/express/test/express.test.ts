/**
 * Express 5 and Express 4, real servers over sockets (fetch and curl): every error path answers
 * with problem JSON, the error headers and the taxonomy's status; finalhandler's HTML is never
 * reached, with NODE_ENV unset; the log has the detail under the same id.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FaultError, isUuid } from '@faultline/core';
import { rawHttpExchange, recordFor, until } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncHandler } from '../src/index.js';
import { type Major, type RunningApp, startApp } from './helpers.js';

const run = promisify(execFile);
const SECRET = 'hunter2-express';

async function get(url: string, init?: RequestInit) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), text };
}

function expectProblem(answer: { status: number; headers: Record<string, string>; text: string }, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(isUuid(answer.headers['x-request-id'])).toBe(true);
  expect(answer.headers['x-powered-by']).toBeUndefined();
  const body = JSON.parse(answer.text) as { status: number; request_id: string };
  expect(body.status).toBe(status);
  expect(body.request_id).toBe(answer.headers['x-request-id']);
  expect(answer.text).not.toMatch(/<html|<pre| {4}at |hunter2|orders_ref|\/srv\//i);
  expect(JSON.stringify(answer.headers)).not.toMatch(/hunter2|vault\.internal/);
  return body;
}

describe.each([5, 4] as Major[])('Express %i', (major) => {
  let app: RunningApp;
  const previousEnv = process.env.NODE_ENV;
  beforeAll(async () => {
    // finalhandler shows stacks in HTML when NODE_ENV is not production: prove it is never reached.
    delete process.env.NODE_ENV;
    app = await startApp(major, (a, wrap) => {
      a.get('/sync', () => {
        throw Object.assign(new Error(`duplicate key "orders_ref" ${SECRET}`), { code: '23505', severity: 'ERROR' });
      });
      a.get(
        '/async',
        wrap(async () => {
          await new Promise((resolve) => setImmediate(resolve));
          throw Object.assign(new Error(`connect ECONNREFUSED 10.0.0.5 ${SECRET}`), { code: 'ECONNREFUSED' });
        }),
      );
      a.get('/next', (_req: unknown, _res: unknown, next: (e: unknown) => void) => next(`thrown string ${SECRET}`));
      a.get('/next-proxy', (_req: unknown, _res: unknown, next: (e: unknown) => void) =>
        next(
          new Proxy(
            {},
            {
              get() {
                throw new Error(SECRET);
              },
            },
          ),
        ),
      );
      a.get('/next-null-proto', (_req: unknown, _res: unknown, next: (e: unknown) => void) =>
        next(Object.assign(Object.create(null), { message: SECRET, status: 404 })),
      );
      a.get(
        '/falsy',
        // Express treats a falsy thrown value as "no error" (the request would end as a 404): asyncHandler carries it.
        asyncHandler(() => {
          throw 0;
        }),
      );
      a.get('/http-errors', () => {
        throw Object.assign(new Error(`order 42 of ${SECRET}`), {
          status: 404,
          expose: true,
          headers: { 'X-Leak': SECRET },
        });
      });
      a.get('/forbidden', () => {
        throw FaultError.of('forbidden');
      });
      a.get('/server-aborted', (_req: unknown, _res: unknown, next: (e: unknown) => void) =>
        next(new DOMException(`upstream call aborted ${SECRET}`, 'AbortError')),
      );
      a.get('/cancelled-fault', () => {
        throw FaultError.of('cancelled');
      });
      a.get('/http-errors-401', () => {
        throw Object.assign(new Error('vault login failed'), {
          status: 401,
          expose: false,
          headers: { 'WWW-Authenticate': `Bearer realm="vault.internal.corp", error_description="${SECRET}"` },
        });
      });
      a.get('/after-headers', (_req: unknown, res: { write(s: string): void }) => {
        res.write('partial');
        throw new Error(`late ${SECRET}`);
      });
      a.post('/echo', (req: { body: unknown }, res: { end(s: string): void }) => res.end(JSON.stringify(req.body)));
    });
  });
  afterAll(async () => {
    await app.stop();
    if (previousEnv !== undefined) process.env.NODE_ENV = previousEnv;
  });

  it.each([
    ['/sync', 409],
    ['/async', 503],
    ['/next', 500],
    ['/next-proxy', 500],
    ['/next-null-proto', 404],
    ['/falsy', 500],
    ['/http-errors', 404],
    ['/forbidden', 403],
    ['/http-errors-401', 401],
    // An AbortError while the client is still connected is the server's own cancellation: 500.
    ['/server-aborted', 500],
    ['/cancelled-fault', 499],
  ])('%s answers %i as problem JSON, never HTML', async (path, status) => {
    const answer = await get(`${app.url}${path}`);
    const body = expectProblem(answer, status);
    expect(answer.headers['x-leak']).toBeUndefined();
    // A thrown challenge gives its scheme only: its realm and description are the thrown value's text.
    if (status === 401) expect(answer.headers['www-authenticate']).toBe('Bearer');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recordFor(app.records, body.request_id)).toBeDefined();
  });

  it('answers unknown routes 404 without echoing the URL', async () => {
    const answer = await get(`${app.url}/missing/<script>?q=${SECRET}`);
    expectProblem(answer, 404);
    expect(answer.text).not.toContain('missing');
  });

  it.each([
    ['malformed JSON', '{"a": hunter2', 'application/json', 400],
    ['a body over the limit', JSON.stringify({ a: 'x'.repeat(4000) }), 'application/json', 413],
    ['an unsupported charset', '{}', 'application/json; charset=klingon', 415],
  ])('answers %s from body-parser structurally', async (_label, body, type, status) => {
    const answer = await get(`${app.url}/echo`, { method: 'POST', body, headers: { 'content-type': type } });
    const { request_id: id } = expectProblem(answer, status);
    await until(() => recordFor(app.records, id) !== undefined, 1000);
    expect(recordFor(app.records, id)).toBeDefined();
  });

  it('aborts a response whose headers were already sent, and logs it', async () => {
    await expect(get(`${app.url}/after-headers`)).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(JSON.stringify(app.records)).toContain('late');
  });

  it('keeps a valid X-Request-ID (lower-cased) and replaces a hostile one', async () => {
    const upper = '3F1C2A9E-8B7D-4C6E-9F0A-1B2C3D4E5F60';
    const kept = await get(`${app.url}/sync`, { headers: { 'x-request-id': upper } });
    expect(kept.headers['x-request-id']).toBe(upper.toLowerCase());
    const hostile = await get(`${app.url}/sync`, { headers: { 'x-request-id': '"}<script>' } });
    expect(isUuid(hostile.headers['x-request-id'])).toBe(true);
    expect(hostile.text).not.toContain('script');
  });

  it.each([
    ['oversized headers', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['a 100 KB URI', `GET /${'u'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
    ['a request line without a path', 'GET ?id=1 HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ])('answers malformed HTTP (%s) as problem JSON through clientError', async (_label, request, status) => {
    const { port } = new URL(app.url);
    const answer = await rawHttpExchange(Number(port), request);
    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(answer).toContain('content-type: application/problem+json; charset=utf-8');
    expect(answer).toContain('x-content-type-options: nosniff');
    expect(answer).not.toContain('uuuuuuuu');
  });

  it('answers curl over a real socket the same way', async () => {
    const { stdout } = await run('curl', ['-s', '-i', `${app.url}/sync`]);
    expect(stdout).toMatch(/^HTTP\/1\.1 409 /);
    expect(stdout).toContain('content-type: application/problem+json; charset=utf-8');
    expect(stdout).not.toContain(SECRET);
  });
});

describe.each([5, 4] as Major[])('Express %i: an application error middleware that throws', (major) => {
  it('is answered by Faultline, not finalhandler', async () => {
    const app = await startApp(
      major,
      (a) => {
        a.get('/boom', () => {
          throw new Error(`first ${SECRET}`);
        });
      },
      () => {
        throw new Error(`the app's own error handler failed ${SECRET}`);
      },
    );
    try {
      expectProblem(await get(`${app.url}/boom`), 500);
    } finally {
      await app.stop();
    }
  });
});
