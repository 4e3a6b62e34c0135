/**
 * A failure after the application ended its answer through a middleware's own `end`, on real
 * Express 5 and Express 4 servers over raw sockets: `compression` gzips the body and calls Node's
 * `end` only later, so a throw or `next(err)` right after `res.json(x)` found the response not
 * ended and destroyed it before a byte left (the client saw a reset connection, and a request
 * pipelined behind it was lost). The answer now stands whole, the failure is recorded once under
 * its id, and an answer only partly written is still cut short.
 */
import type { Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { createReporter } from '@faultline/core';
import { memoryLog, rawHttpExchange } from '@faultline/testkit';
import compression from 'compression';
import express5 from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { asyncHandler, faultline } from '../src/index.js';
import type { ExpressResponse, NextFunction, RequestHandler } from '../src/types.js';
import { type ExpressLike, headerValue, type Major } from './helpers.js';

const SECRET = 'hunter2-compressed';
const PAYLOAD = { ok: true, pad: 'x'.repeat(4000) };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Answer {
  status: string;
  lines: string[];
  body: Buffer;
  complete: boolean;
}

/** The answers in `raw` (latin1, chunked or Content-Length framed): head, payload, whether whole. */
function answers(raw: string): Answer[] {
  const out: Answer[] = [];
  let rest = Buffer.from(raw, 'latin1');
  while (rest.subarray(0, 9).toString('latin1') === 'HTTP/1.1 ') {
    const end = rest.indexOf('\r\n\r\n');
    const [status = '', ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    let at = end + 4;
    const parts: Buffer[] = [];
    let complete = false;
    const length = headerValue(lines, 'content-length');
    if (length !== undefined) {
      parts.push(rest.subarray(at, at + Number(length)));
      at += Number(length);
      complete = at <= rest.length;
    } else {
      while (at < rest.length) {
        const eol = rest.indexOf('\r\n', at);
        if (eol === -1) break;
        const size = Number.parseInt(rest.toString('latin1', at, eol), 16);
        if (size === 0) {
          complete = true;
          at = eol + 4;
          break;
        }
        parts.push(rest.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
    }
    out.push({ status, lines, body: Buffer.concat(parts), complete });
    rest = rest.subarray(at);
  }
  return out;
}

let running: { server: Server; records: Record<string, unknown>[] } | undefined;

afterEach(async () => {
  const server = running?.server;
  running = undefined;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
});

/** An Express `major` app with compression (before or after `fl.requestId`) and failing routes. */
async function start(major: Major, compressionFirst: boolean): Promise<number> {
  const log = memoryLog();
  const fl = faultline({ reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }) });
  const app = ((major === 5 ? express5 : express4) as unknown as () => ExpressLike)();
  const wrap = major === 4 ? asyncHandler : (handler: RequestHandler) => handler;
  const zip = compression({ threshold: 0 });
  if (compressionFirst) app.use(zip);
  app.use(fl.requestId);
  if (!compressionFirst) app.use(zip);
  app.get('/json-then-throw', (_req: unknown, res: ExpressResponse & { json(v: unknown): void }) => {
    res.json(PAYLOAD);
    throw new Error(`audit write failed ${SECRET}`);
  });
  app.get('/send-then-next', (_req: unknown, res: ExpressResponse & { send(v: string): void }, next: NextFunction) => {
    res.send(JSON.stringify(PAYLOAD));
    next(new Error(`follow-up failed ${SECRET}`));
  });
  app.get(
    '/json-then-reject',
    wrap(async (_req, res) => {
      (res as ExpressResponse & { json(v: unknown): void }).json(PAYLOAD);
      throw new Error(`rejected ${SECRET}`);
    }),
  );
  app.get('/write-then-throw', (_req: unknown, res: ExpressResponse) => {
    res.setHeader('content-type', 'application/json');
    res.write('{"partial":');
    throw new Error(`mid-stream ${SECRET}`);
  });
  app.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  running = { server, records: log.records };
  return (server.address() as { port: number }).port;
}

/** `path`, then `/ok` on the same connection, both asking for gzip. */
function pipelined(port: number, path: string): Promise<string> {
  return rawHttpExchange(
    port,
    `GET ${path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n` +
      'GET /ok HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n',
  );
}

/** The log records under `id`, once the reporter had its turn. */
async function recordsOf(id: string | undefined): Promise<Record<string, unknown>[]> {
  await new Promise((resolve) => setTimeout(resolve, 30));
  return (running?.records ?? []).filter((record) => record.request_id === id);
}

describe.each([5, 4] as Major[])('Express %i with compression, a failure after the answer ended', (major) => {
  it.each([
    ['/json-then-throw', false],
    ['/send-then-next', false],
    ['/json-then-reject', false],
    // compression before fl.requestId, at the app's first request: its `end` was assigned first.
    ['/json-then-throw', true],
  ])(
    '%s (compression first: %s): the gzip answer arrives whole, the next request is served, one record',
    async (path, first) => {
      const port = await start(major, first);
      const raw = await pipelined(port, path);
      expect(raw).not.toContain(SECRET);
      const [answer, next, ...more] = answers(raw);
      expect(more).toEqual([]);
      expect(answer?.status).toBe('HTTP/1.1 200 OK');
      expect(headerValue(answer?.lines ?? [], 'content-encoding')).toBe('gzip');
      expect(answer?.complete).toBe(true);
      expect(JSON.parse(gunzipSync(answer?.body ?? Buffer.alloc(0)).toString('utf8'))).toEqual(PAYLOAD);
      expect([next?.status, next?.body.toString('latin1'), next?.complete]).toEqual(['HTTP/1.1 200 OK', 'fine', true]);
      const id = headerValue(answer?.lines ?? [], 'x-request-id');
      expect(id).toMatch(UUID);
      const records = await recordsOf(id);
      expect(records).toHaveLength(1);
      expect(records[0]?.status).toBe(500);
    },
  );

  it('an answer only partly written is still cut short (never framed whole), and recorded once', async () => {
    const port = await start(major, false);
    const raw = await rawHttpExchange(
      port,
      'GET /write-then-throw HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n',
    );
    expect(raw).not.toContain(SECRET);
    // gzip held the partial body: the connection closes before any byte, or mid-body.
    expect(answers(raw).filter((answer) => answer.complete)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(running?.records.filter((record) => record.route === '/write-then-throw')).toHaveLength(1);
  });
});
