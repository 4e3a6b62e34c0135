/**
 * The id triangle on Express 5 and 4, for every failure style: the id the client is given (the
 * `x-request-id` header and the body's `request_id`, equal), the id of the log record, and the
 * `app.error.id` attribute of the request's own OpenTelemetry server span (instrumentation-http
 * and -express, see otel-setup.ts) are one id. Real server on 127.0.0.1, undici fetch.
 */
import type { Server } from 'node:http';
import { createReporter, SPAN_ATTRIBUTES } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import { requestTraced } from '@faultline/testkit/tracing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import compression from 'compression';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncHandler, faultline } from '../src/index.js';
import type { ExpressResponse, NextFunction } from '../src/types.js';
import type { ExpressLike } from './helpers.js';
import { startTracing, type Tracing } from './otel-setup.js';

const SECRET = 'hunter2-triangle';
const boom = (where: string) => new Error(`${where} failed: postgres://app:${SECRET}@10.0.4.12/shop`);
const tick = () => new Promise((resolve) => setImmediate(resolve));
const PAYLOAD = { ok: true, pad: 'x'.repeat(2000) };

type Res = ExpressResponse & { json(v: unknown): void };
type App = ExpressLike & { param(name: string, callback: unknown): void; post(path: string, ...h: unknown[]): void };

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing();
});
afterAll(async () => {
  await tracing?.shutdown();
});

const serverSpan = (spans: ReadableSpan[]) => spans.find((s) => s.kind === SpanKind.SERVER);

interface Case {
  name: string;
  method?: string;
  path: string;
  body?: string;
  status: number;
  code?: string;
  /** The answer is the application's own (it stood): the record is the failure that followed it. */
  answered?: boolean;
}

const CASES: Case[] = [
  { name: 'sync throw', path: '/sync', status: 500, code: 'INTERNAL' },
  { name: 'async rejection via asyncHandler', path: '/async', status: 500, code: 'INTERNAL' },
  { name: 'next(err)', path: '/next', status: 500, code: 'INTERNAL' },
  { name: '404 not found', path: '/nowhere', status: 404 },
  { name: 'body-parser malformed JSON', method: 'POST', path: '/json', body: '{"name":', status: 400 },
  { name: 'app.param callback rejects (asyncHandler)', path: '/orders/broken', status: 500, code: 'INTERNAL' },
  { name: 'compression, res.json(x), then a throw', path: '/compressed', status: 200, answered: true },
  { name: "top-level next('router') after the first request", path: '/leave', status: 404 },
  { name: 'thrown string', path: '/string', status: 500, code: 'INTERNAL' },
];

describe.each([5, 4] as const)('Express %i: one id in the answer, the log record and the server span', (major) => {
  const log = memoryLog();
  let server: Server;
  let base = '';

  beforeAll(async () => {
    const factory = major === 5 ? tracing.express5 : tracing.express4;
    const fl = faultline({ reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }) });
    const app = factory() as App;
    app.use(fl.requestId);
    app.param(
      'order',
      asyncHandler((async (_req: unknown, _res: unknown, next: NextFunction, value: string) => {
        await tick();
        if (value === 'broken') throw boom('param');
        next();
      }) as never),
    );
    app.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
    app.get('/sync', () => {
      throw boom('sync');
    });
    app.get(
      '/async',
      asyncHandler(async () => {
        await tick();
        throw boom('async');
      }),
    );
    app.get('/next', (_req: unknown, _res: unknown, next: NextFunction) => next(boom('next')));
    app.post('/json', factory.json(), (_req: unknown, res: Res) => res.json({ ok: true }));
    app.get('/orders/:order', (_req: unknown, res: Res) => res.json({ ok: true }));
    app.get('/compressed', compression({ threshold: 0 }), (_req: unknown, res: Res) => {
      res.json(PAYLOAD);
      throw boom('after the answer');
    });
    app.get('/leave', (_req: unknown, _res: unknown, next: NextFunction) => next('router'));
    app.get('/string', () => {
      throw `thrown string postgres://app:${SECRET}@10.0.4.12/shop`;
    });
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // Express gives no start-up hook: the app's first request hands Faultline the final handler.
    expect(await (await fetch(`${base}/ok`, { signal: AbortSignal.timeout(3000) })).text()).toBe('fine');
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  });

  /** The log records that carry `id` (full records and compact repeat lines). */
  const recordsOf = (id: unknown) =>
    log.records.filter(
      (r) => r.request_id === id || (Array.isArray(r.request_ids) && (r.request_ids as unknown[]).includes(id)),
    );

  it.each(CASES.map((c) => [c.name, c] as const))('%s', { timeout: 10_000 }, async (_name, c) => {
    const { traceId, response: res, text } = await requestTraced(`${base}${c.path}`, c);
    expect(res.status).toBe(c.status);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(text).not.toContain(SECRET);
    if (c.answered) {
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(JSON.parse(text)).toEqual(PAYLOAD);
    } else {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = JSON.parse(text) as { request_id?: unknown; code?: unknown };
      expect(body.request_id).toBe(id);
      if (c.code !== undefined) expect(body.code).toBe(c.code);
    }

    // The log: exactly one record, under the answer's id and the request's trace.
    await until(() => recordsOf(id).length > 0);
    await new Promise((r) => setTimeout(r, 30));
    const records = recordsOf(id);
    expect(records).toHaveLength(1);
    expect(records[0]?.request_id).toBe(id);
    expect(records[0]?.trace_id).toBe(traceId);
    expect(JSON.stringify(records)).not.toContain(SECRET);

    // The request's server span carries the same id.
    const spans = await tracing.spansOf(traceId, (s) => serverSpan(s) !== undefined);
    const span = serverSpan(spans);
    expect(span).toBeDefined();
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.attributes['http.response.status_code'] ?? span?.attributes['http.status_code']).toBe(c.status);
    expect(span?.attributes[SPAN_ATTRIBUTES.errorId]).toBe(id);
    // A failure after a standing 200 is still the server's failure (the record's INTERNAL): the
    // span says so, as OpenTelemetry's HTTP conventions allow for "another error".
    if (c.status >= 500 || c.answered) expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    else expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
    // The layer spans of instrumentation-express never carry the id instead of the server span.
    for (const other of spans) if (other !== span) expect(other.attributes[SPAN_ATTRIBUTES.errorId]).toBeUndefined();
  });
});
