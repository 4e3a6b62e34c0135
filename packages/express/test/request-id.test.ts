/**
 * Where the request id lives, on real Express 5 and Express 4 servers: `req.id` (an accessor on the
 * app's request prototype, assignable as before, inherited by mounted apps), `X-Request-ID` on every
 * success however its head is written (an id the route set kept), readable with `res.getHeader` in a
 * route and, for an error answer, by an access logger when the response finishes; Faultline's error
 * answers byte for byte as before (the id first, headers the route set kept behind it), through
 * `compression`'s `writeHead` wrapper too, and a request from outside Express.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { isUuid } from '@faultline/core';
import { rawHttpExchange } from '@faultline/testkit';
import compression from 'compression';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncHandler, faultline } from '../src/index.js';
import type { ExpressRequest, ExpressResponse, NextFunction, RequestHandler } from '../src/types.js';
import type { ExpressLike, Major } from './helpers.js';

type Factory = (() => ExpressLike) & { json(o?: object): unknown };

/** Status line and header lines of a raw answer (Date dropped), and its body. */
function split(raw: string): { lines: string[]; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const lines = raw
    .slice(0, end)
    .split('\r\n')
    .filter((line) => !line.startsWith('Date: '));
  return { lines, body: raw.slice(end + 4) };
}

function get(port: number, path: string, extra = '', method = 'GET'): Promise<string> {
  return rawHttpExchange(port, `${method} ${path} HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`);
}

/** The payload of a chunked body. */
function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const eol = bytes.indexOf('\r\n', at);
    const size = Number.parseInt(bytes.toString('latin1', at, eol), 16);
    if (!(size > 0)) break;
    parts.push(bytes.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The value of header `name` in `lines` (first match, case-insensitive). */
function header(lines: readonly string[], name: string): string | undefined {
  const line = lines.find((l) => l.toLowerCase().startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim();
}

describe.each([5, 4] as const)('Express %i', (major: Major) => {
  const finished: Record<string, unknown>[] = [];
  let server: Server;
  let port: number;
  beforeAll(async () => {
    const fl = faultline({ reporter: false });
    const factory = (major === 5 ? express5 : express4) as unknown as Factory;
    const wrap = major === 4 ? asyncHandler : (handler: RequestHandler) => handler;
    const app = factory();
    app.use(fl.requestId);
    app.get('/id', (req: ExpressRequest, res: ExpressResponse & { json(v: unknown): void }) =>
      res.json({ id: req.id, own: Object.hasOwn(req, 'id') }),
    );
    app.get(
      '/assign-fail',
      wrap(async (req) => {
        req.id = 'custom-1';
        throw new Error('secret');
      }),
    );
    app.get('/assign-ok', (req: ExpressRequest, res: ExpressResponse & { json(v: unknown): void }) => {
      req.id = 'custom-2';
      res.json({ id: req.id });
    });
    app.get('/write-head', (_req: unknown, res: ExpressResponse) => {
      res.writeHead(201, { 'x-a': 'b' });
      res.end('made');
    });
    app.get('/write-head-reason', (_req: unknown, res: ExpressResponse) => {
      res.writeHead(202, 'Taken', { 'x-a': 'b' });
      res.end();
    });
    app.get('/flush', (_req: unknown, res: ExpressResponse) => {
      res.flushHeaders();
      res.end('flushed');
    });
    app.get('/bare', (_req: unknown, res: ExpressResponse) => res.end('bare'));
    app.get('/own', (_req: unknown, res: ExpressResponse) => {
      res.setHeader('X-Request-ID', 'mine');
      res.end('own');
    });
    app.get('/plain-fail', () => {
      throw new Error('secret');
    });
    app.get('/seen', (_req: unknown, res: ExpressResponse) => {
      res.end(String(res.getHeader('x-request-id')));
    });
    app.get('/logged-fail', (_req: unknown, res: ExpressResponse, next: NextFunction) => {
      // What morgan's `:res[...]` and pino-http's `res.headers` read once the answer is sent.
      res.on('finish', () => finished.push({ ...res.getHeaders() }));
      next(new Error('secret'));
    });
    app.get('/headers-fail', (_req: unknown, res: ExpressResponse, next: NextFunction) => {
      res.setHeader('X-Keep', 'k');
      res.setHeader('ETag', '"1"');
      res.setHeader('Content-Type', 'text/plain');
      next(new Error('secret'));
    });
    const sub = factory();
    sub.get('/id', (req: ExpressRequest, res: ExpressResponse & { json(v: unknown): void }) =>
      res.json({ id: req.id }),
    );
    sub.get(
      '/boom',
      wrap(async () => {
        throw new Error('secret');
      }),
    );
    app.use('/sub', sub);
    const zipped = factory();
    zipped.use(compression({ threshold: 0 }) as unknown as RequestHandler);
    zipped.get(
      '/fail',
      wrap(async () => {
        throw new Error('secret');
      }),
    );
    app.use('/zipped', zipped);
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('req.id is the id of the answer, read from the app’s request prototype', async () => {
    const { lines, body } = split(await get(port, '/id'));
    const read = JSON.parse(body) as { id: string; own: boolean };
    expect(read.id).toMatch(UUID);
    expect(header(lines, 'x-request-id')).toBe(read.id);
    expect(read.own).toBe(false);
  });

  it('a valid incoming id is req.id', async () => {
    const incoming = '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b';
    const { lines, body } = split(await get(port, '/id', `X-Request-ID: ${incoming}\r\n`));
    expect((JSON.parse(body) as { id: string }).id).toBe(incoming);
    expect(header(lines, 'x-request-id')).toBe(incoming);
  });

  it('mounted apps read req.id too', async () => {
    const { lines, body } = split(await get(port, '/sub/id'));
    const { id } = JSON.parse(body) as { id: string };
    expect(id).toMatch(UUID);
    expect(header(lines, 'x-request-id')).toBe(id);
  });

  it('an id the application assigns is kept, and errors answer with it', async () => {
    const ok = split(await get(port, '/assign-ok'));
    expect((JSON.parse(ok.body) as { id: string }).id).toBe('custom-2');
    expect(header(ok.lines, 'x-request-id')).toMatch(UUID);
    const failed = split(await get(port, '/assign-fail'));
    expect(failed.lines[0]).toBe('HTTP/1.1 500 Internal Server Error');
    expect(header(failed.lines, 'x-request-id')).toBe('custom-1');
    expect((JSON.parse(failed.body) as { request_id: string }).request_id).toBe('custom-1');
  });

  it.each([
    ['/write-head', 'HTTP/1.1 201 Created'],
    ['/write-head-reason', 'HTTP/1.1 202 Taken'],
    ['/flush', 'HTTP/1.1 200 OK'],
    ['/bare', 'HTTP/1.1 200 OK'],
  ])('every success carries one X-Request-ID (%s)', async (path, status) => {
    const { lines } = split(await get(port, path));
    expect(lines[0]).toBe(status);
    expect(lines.filter((line) => line.toLowerCase().startsWith('x-request-id:'))).toHaveLength(1);
    expect(header(lines, 'x-request-id')).toMatch(UUID);
    if (path.startsWith('/write-head')) expect(header(lines, 'x-a')).toBe('b');
  });

  it('the id is readable with res.getHeader in a route, and by an access logger after an error answer', async () => {
    const seen = split(await get(port, '/seen'));
    expect(seen.body).toMatch(UUID);
    expect(header(seen.lines, 'x-request-id')).toBe(seen.body);
    const failed = split(await get(port, '/logged-fail'));
    const id = header(failed.lines, 'x-request-id');
    expect(id).toMatch(UUID);
    expect(finished.at(-1)).toMatchObject({
      'x-request-id': id,
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': header(failed.lines, 'content-length'),
    });
  });

  it.each([
    ['/sub/boom', 500],
    ['/sub/missing', 404],
  ])('an error answer from a mounted sub-app carries no X-Powered-By (%s)', async (path, status) => {
    const { lines } = split(await get(port, path));
    expect(lines[0]).toContain(` ${status} `);
    expect(header(lines, 'x-request-id')).toMatch(UUID);
    expect(header(lines, 'x-powered-by')).toBeUndefined();
  });

  it('an X-Request-ID the route set is kept', async () => {
    const { lines } = split(await get(port, '/own'));
    expect(lines.filter((line) => line.toLowerCase().startsWith('x-request-id:'))).toEqual(['X-Request-ID: mine']);
  });

  it.each(['GET', 'HEAD'])('error answers keep their head, byte for byte (%s)', async (method) => {
    const { lines, body } = split(await get(port, '/plain-fail', '', method));
    const id = header(lines, 'x-request-id') ?? '';
    expect(id).toMatch(UUID);
    const text = `{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"An internal error occurred.","code":"INTERNAL","request_id":"${id}"}`;
    expect(lines).toEqual([
      'HTTP/1.1 500 Internal Server Error',
      `x-request-id: ${id}`,
      'content-type: application/problem+json; charset=utf-8',
      'x-content-type-options: nosniff',
      'cache-control: no-store',
      `content-length: ${text.length}`,
      'Connection: close',
    ]);
    expect(body).toBe(method === 'HEAD' ? '' : text);
  });

  it('an error after the route set headers: the id first, success-only headers dropped, the rest kept', async () => {
    const { lines } = split(await get(port, '/headers-fail'));
    const id = header(lines, 'x-request-id') ?? '';
    expect(id).toMatch(UUID);
    expect(lines.slice(0, 7)).toEqual([
      'HTTP/1.1 500 Internal Server Error',
      `x-request-id: ${id}`,
      'X-Keep: k',
      'content-type: application/problem+json; charset=utf-8',
      'x-content-type-options: nosniff',
      'cache-control: no-store',
      expect.stringMatching(/^content-length: \d+$/),
    ]);
    expect(header(lines, 'etag')).toBeUndefined();
  });

  it('answers through compression’s writeHead wrapper', async () => {
    const raw = await rawHttpExchange(
      port,
      'GET /zipped/fail HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n',
    );
    const end = raw.indexOf('\r\n\r\n');
    const lines = raw.slice(0, end).split('\r\n');
    expect(lines[0]).toBe('HTTP/1.1 500 Internal Server Error');
    expect(header(lines, 'content-encoding')).toBe('gzip');
    expect(lines.filter((line) => line.toLowerCase().startsWith('x-request-id:'))).toHaveLength(1);
    const id = header(lines, 'x-request-id');
    const body = JSON.parse(gunzipSync(dechunk(Buffer.from(raw.slice(end + 4), 'latin1'))).toString('utf8')) as {
      code: string;
      request_id: string;
    };
    expect(body.code).toBe('INTERNAL');
    expect(body.request_id).toBe(id);
  });
});

describe('a request from outside Express', () => {
  it('gets req.id as its own property and X-Request-ID at once', async () => {
    const fl = faultline({ reporter: false });
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const request = req as ExpressRequest;
      fl.requestId(request, res, () => {
        res.end(
          JSON.stringify({ id: request.id, own: Object.hasOwn(request, 'id'), set: res.getHeader('x-request-id') }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { lines, body } = split(await get((server.address() as { port: number }).port, '/'));
      const read = JSON.parse(body) as { id: string; own: boolean; set: string };
      expect(isUuid(read.id)).toBe(true);
      expect(read.own).toBe(true);
      expect(read.set).toBe(read.id);
      expect(header(lines, 'x-request-id')).toBe(read.id);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
