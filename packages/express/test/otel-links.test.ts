/**
 * Express 5 under instrumentation-http and instrumentation-express, with a logs SDK (in-memory log
 * record exporter): requests sent by an instrumented `http` client, so each trace holds a client
 * span, the server span and the layer spans. The app's very first request failing (before its
 * first request handed Faultline Express's final handler), a stream failing after the head, and
 * 50 concurrent failures (an `asyncHandler` rejection after `await`s, a `next(err)` from a timer):
 * the server span alone carries the answer's id (never the client span, a layer span, or another
 * request's span), its status is ERROR on a 5xx only, and the OTel log record of that id is
 * linked to that span. (The id triangle pins sync throws, next(err), 404, body-parser errors.)
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';
import { createReporter, SPAN_ATTRIBUTES } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import { logRecordsWith } from '@faultline/testkit/tracing';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncHandler, faultline } from '../src/index.js';
import type { ExpressResponse, NextFunction } from '../src/types.js';
import type { ExpressLike } from './helpers.js';
import { startTracing, type Tracing } from './otel-setup.js';

const ID = SPAN_ATTRIBUTES.errorId;
const tick = () => new Promise((resolve) => setImmediate(resolve));
const boom = (where: string) => new Error(`${where} failed: postgres://app:hunter2@10.0.4.12/shop`);
const logRecords = new InMemoryLogRecordExporter();
const bus = new EventEmitter();

let tracing: Tracing;
let http: typeof import('node:http');
let server: Server;
let port = 0;

beforeAll(async () => {
  tracing = startTracing();
  logs.setGlobalLoggerProvider(
    new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logRecords })] }),
  );
  http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
  const log = memoryLog();
  const reporter = createReporter({ logger: log.logger, flushOnExit: false });
  // Prepared at once (the `app` option): its first request's faults reach the server span.
  const app = tracing.express5() as ExpressLike;
  const fl = faultline({ reporter, app });
  app.use(fl.requestId);
  // An app left to be prepared by its first request: that request's 404 marks a layer span.
  const late = tracing.express5() as ExpressLike;
  const lateFl = faultline({ reporter });
  late.use(lateFl.requestId);
  late.use(lateFl.notFound);
  late.use(lateFl.errorHandler);
  app.get('/sync', () => {
    throw boom('sync');
  });
  app.get(
    '/async/:n',
    asyncHandler(async () => {
      await tick();
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw boom('async');
    }),
  );
  app.get('/timer-next/:n', (_req: unknown, _res: unknown, next: NextFunction) => {
    setTimeout(() => next(boom('timer')), 1);
  });
  app.get(
    '/stream',
    asyncHandler(async (_req: unknown, res: ExpressResponse) => {
      res.write('partial');
      await tick();
      throw boom('stream');
    }),
  );
  // A failure after the answer ended (the request's span with it), called back from another
  // request's handler: a shared emitter, as a batching client or a pool calls its waiters.
  app.get('/late-failure', (_req: unknown, res: ExpressResponse, next: NextFunction) => {
    res.end('answered');
    bus.once('flush', () => next(boom('after the answer')));
  });
  app.get('/flush', (_req: unknown, res: ExpressResponse) => {
    bus.emit('flush');
    res.end('flushed');
  });
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  type Listener = (request: IncomingMessage, response: unknown) => void;
  server = http.createServer((request, response) =>
    ((request.url?.startsWith('/late/') ? late : app) as unknown as Listener)(request, response),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  await tracing?.shutdown();
  logs.disable();
});

interface Answer {
  status: number;
  id: string;
  traceId: string;
  error?: string;
}

/** One GET from the instrumented `http` client, in a trace of its own (its client span the root). */
function get(path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    context.with(ROOT_CONTEXT, () => {
      const request = http.request({ host: '127.0.0.1', port, path, timeout: 3000 });
      const traceId = String(request.getHeader('traceparent')).split('-')[1] ?? '';
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
      request.on('response', (response: IncomingMessage) => {
        const done = (error?: Error) =>
          resolve({
            status: response.statusCode ?? 0,
            id: String(response.headers['x-request-id']),
            traceId,
            ...(error === undefined ? {} : { error: error.message }),
          });
        response.resume();
        response.on('end', () => done());
        response.on('error', done);
      });
      request.end();
    });
  });
}

const kinds = <S extends { kind: SpanKind }>(spans: S[], kind: SpanKind) => spans.filter((s) => s.kind === kind);
const logRecordsOf = (id: string) => logRecords.getFinishedLogRecords().filter((r) => r.attributes[ID] === id);

/** Checks which spans of `answer`'s trace carry its id, and the link of its log record. */
async function checkTrace(answer: Answer, status: number) {
  const { server } = await tracing.exchangeOf(answer.traceId);
  expect(server?.attributes[ID]).toBe(answer.id);
  // No other span holds the id: not the client span, not a layer span, not another trace's.
  expect(tracing.holding(ID, answer.id).map((s) => s.name)).toEqual([server?.name]);
  expect(server?.status.code).toBe(status >= 500 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
  const records = await logRecordsWith(logRecords, ID, answer.id);
  expect(records).toHaveLength(1);
  expect(records[0]?.spanContext?.traceId).toBe(answer.traceId);
  expect(records[0]?.spanContext?.spanId).toBe(server?.spanContext().spanId);
}

describe('Express 5: the server span, and it alone, carries the id; the log record is linked to it', () => {
  it("the first request of an app passed as `app`, a 404 from fl.notFound: the server span, not the middleware's", async () => {
    const answer = await get('/nowhere');
    expect(answer.status).toBe(404);
    await checkTrace(answer, 404);
  });

  it('a sync throw: the server span, not the error handler layer span', async () => {
    const answer = await get('/sync');
    expect(answer.status).toBe(500);
    await checkTrace(answer, 500);
  });

  it("as the guide says: an app prepared by its first request marks that request's 404 on fl.notFound's layer span", async () => {
    const first = await get('/late/nowhere');
    expect(first.status).toBe(404);
    await tracing.spansOf(first.traceId, (s) => kinds(s, SpanKind.SERVER).length > 0);
    const holders = tracing.exporter.getFinishedSpans().filter((s) => s.attributes[ID] === first.id);
    expect(holders.map((s) => s.name)).toEqual(['middleware - notFound']);
    // From the second request on, the server span.
    const second = await get('/late/nowhere');
    await checkTrace(second, 404);
  });

  it('a stream failing after the head: the response is cut, the id the head carried marks the server span', async () => {
    const answer = await get('/stream');
    expect(answer.status).toBe(200);
    expect(answer.id).toMatch(/^[0-9a-f-]{36}$/);
    await checkTrace(answer, 500);
  });

  it('50 concurrent failures through awaits and timers: each server span has its own id and log record', async () => {
    const paths = Array.from({ length: 50 }, (_, n) => (n % 2 === 0 ? `/async/${n}` : `/timer-next/${n}`));
    const answers = await Promise.all(paths.map(get));
    expect(new Set(answers.map((a) => a.id)).size).toBe(50);
    for (const answer of answers) {
      expect(answer.status).toBe(500);
      await checkTrace(answer, 500);
    }
  });

  // instrumentation-express runs a layer's `next` in its own request's context, so the active span
  // here is the ended request's; core's otel-own-span test covers a context that truly leaked.
  it("a failure after the answer, called back inside another request's handler: that request's span is not marked", async () => {
    const late = await get('/late-failure');
    expect(late.status).toBe(200);
    // The answered request's server span has ended: the id can no longer reach it.
    await tracing.spansOf(late.traceId, (s) => kinds(s, SpanKind.SERVER).length > 0);
    const other = await get('/flush');
    expect(other.status).toBe(200);
    await until(() => logRecordsOf(late.id).length > 0, 3000);
    const spans = await tracing.spansOf(other.traceId, (s) => kinds(s, SpanKind.SERVER).length > 0);
    const [otherServer] = kinds(spans, SpanKind.SERVER);
    expect(otherServer?.attributes[ID]).toBeUndefined();
    expect(otherServer?.status.code).toBe(SpanStatusCode.UNSET);
    expect(tracing.exporter.getFinishedSpans().filter((s) => s.attributes[ID] === late.id)).toEqual([]);
    // Its log record is linked to its own request's span, not to the one active where it failed.
    const [lateServer] = kinds(
      tracing.exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === late.traceId),
      SpanKind.SERVER,
    );
    const [record] = logRecordsOf(late.id);
    expect(record?.spanContext?.spanId).toBe(lateServer?.spanContext().spanId);
  });
});
