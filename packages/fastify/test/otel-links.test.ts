/**
 * Fastify under instrumentation-http and `@fastify/otel`, a logs SDK (in-memory log record
 * exporter), and the reporter in worker mode with its repeat window on: requests sent by an
 * instrumented `http` client, so each trace holds a client span and the server's spans. For the
 * failure styles the other OpenTelemetry tests do not pin (a body parse error, an unsupported
 * content type, a stream failing after the head, 50 concurrent failures each crossing `await`s),
 * the server span alone carries the answer's id (never the client span, nor another request's),
 * its status is ERROR on a 5xx only, and the OTel log record of that id is linked to that span.
 * Malformed HTTP (clientError) has no span: none is marked, not even a request's held open.
 */
import { mkdtempSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SPAN_ATTRIBUTES } from '@faultline/core';
import { until } from '@faultline/testkit';
import { logRecordsWith } from '@faultline/testkit/tracing';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from './otel-setup.js';

const ID = SPAN_ATTRIBUTES.errorId;
const tick = () => new Promise((resolve) => setImmediate(resolve));
const logRecords = new InMemoryLogRecordExporter();

let tracing: Tracing;
let http: typeof import('node:http');
let app: FastifyInstance;
let port = 0;
let reporter: { close(): Promise<void>; readonly stats: { offThread: boolean } };
let releaseHeld: (() => void) | undefined;

beforeAll(async () => {
  tracing = startTracing();
  logs.setGlobalLoggerProvider(
    new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logRecords })] }),
  );
  http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
  const { default: Fastify } = await import('fastify');
  const { faultline, faultlineServerOptions } = await import('../src/index.js');
  const { createReporter } = await import('@faultline/core');
  const destination = join(mkdtempSync(join(tmpdir(), 'faultline-otel-links-')), 'faults.log');
  const workerReporter = createReporter({ destination, workerThreshold: 0, flushOnExit: false });
  reporter = workerReporter;
  app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
  await app.register(faultline, { reporter: workerReporter });
  app.get('/fail/:n', async (request) => {
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 1));
    throw new Error(`charge ${(request.params as { n: string }).n} failed: db.internal`);
  });
  app.post('/json', () => ({ ok: true }));
  app.get('/stream', (_request, reply) => {
    let sent = false;
    const body = new Readable({
      read() {
        if (sent) return void this.destroy(new Error('upstream cut: db.internal'));
        sent = true;
        this.push('partial');
      },
    });
    return reply.type('text/plain').send(body);
  });
  app.get('/held', (_request, reply) => {
    releaseHeld = () => void reply.send({ released: true });
    return reply;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  releaseHeld?.();
  await app?.close();
  await reporter?.close();
  await tracing?.shutdown();
  logs.disable();
});

interface Answer {
  status: number;
  id: string;
  text: string;
  traceId: string;
  error?: string;
}

/** One request from the instrumented `http` client, in a trace of its own (its client span the root). */
function send(method: string, path: string, body?: string, type = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    context.with(ROOT_CONTEXT, () => {
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': type };
      const request = http.request({ host: '127.0.0.1', port, method, path, headers, timeout: 3000 });
      const traceId = () => String(request.getHeader('traceparent')).split('-')[1] ?? '';
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
      request.on('response', (response: IncomingMessage) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        const done = (error?: Error) =>
          resolve({
            status: response.statusCode ?? 0,
            id: String(response.headers['x-request-id']),
            text,
            traceId: traceId(),
            ...(error === undefined ? {} : { error: error.message }),
          });
        response.on('end', () => done());
        response.on('error', done);
      });
      request.end(body);
    });
  });
}

const kinds = <S extends { kind: SpanKind }>(spans: S[], kind: SpanKind) => spans.filter((s) => s.kind === kind);
const logRecordsOf = (id: string) => logRecords.getFinishedLogRecords().filter((r) => r.attributes[ID] === id);

/** The spans of `answer`'s trace once its client and server spans ended; checks what carries the id. */
async function checkTrace(answer: Answer, status: number) {
  const { spans, server, client } = await tracing.exchangeOf(answer.traceId);
  expect(server?.attributes[ID]).toBe(answer.id);
  expect(client?.attributes[ID]).toBeUndefined();
  // Only this request's own spans may hold its id, and none holds another's.
  for (const holder of tracing.holding(ID, answer.id)) expect(holder.spanContext().traceId).toBe(answer.traceId);
  for (const span of spans) if (span.attributes[ID] !== undefined) expect(span.attributes[ID]).toBe(answer.id);
  expect(server?.status.code).toBe(status >= 500 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
  // The OTel log record: this id, linked to the server span.
  const records = await logRecordsWith(logRecords, ID, answer.id);
  expect(records).toHaveLength(1);
  expect(records[0]?.spanContext?.traceId).toBe(answer.traceId);
  expect(records[0]?.spanContext?.spanId).toBe(server?.spanContext().spanId);
}

describe('Fastify: the server span, and it alone, carries the id; the log record is linked to it', () => {
  it.each([
    ['malformed JSON body', '{"name":', 'application/json', 400],
    ['unsupported content type', '<a/>', 'text/xml', 415],
  ] as const)('%s', async (_name, body, type, status) => {
    const answer = await send('POST', '/json', body, type);
    expect(answer.status).toBe(status);
    expect((JSON.parse(answer.text) as { request_id: string }).request_id).toBe(answer.id);
    await checkTrace(answer, status);
  });

  it('a stream failing after the head: the response is cut, the id the head carried marks the span', async () => {
    const answer = await send('GET', '/stream');
    expect(answer.status).toBe(200);
    expect(answer.error).toMatch(/aborted|socket|reset/i);
    expect(answer.id).toMatch(/^[0-9a-f-]{36}$/);
    await checkTrace(answer, 500);
  });

  it('50 concurrent failing requests, each through awaits: each span has its own id and its own log record', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => send('GET', `/fail/${n}`)));
    expect(new Set(answers.map((a) => a.id)).size).toBe(50);
    expect(new Set(answers.map((a) => a.traceId)).size).toBe(50);
    for (const answer of answers) {
      expect(answer.status).toBe(500);
      await checkTrace(answer, 500);
    }
  });

  it('the records were written by the worker (the log records emitted back on this thread)', () => {
    expect(reporter.stats.offThread).toBe(true);
  });

  it('malformed HTTP (clientError): answered with an id, no span marked, the log record linked to none', async () => {
    const held = send('GET', '/held');
    await until(() => releaseHeld !== undefined);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
      socket.end('GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n');
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    const id = /x-request-id: ([0-9a-f-]{36})/i.exec(raw)?.[1] ?? '';
    expect(id).not.toBe('');
    await until(() => logRecordsOf(id).length > 0, 3000);
    expect(logRecordsOf(id)).toHaveLength(1);
    expect(logRecordsOf(id)[0]?.spanContext).toBeUndefined();
    releaseHeld?.();
    const answer = await held;
    expect(answer.status).toBe(200);
    await tracing.spansOf(answer.traceId, (s) => kinds(s, SpanKind.SERVER).length > 0);
    expect(tracing.exporter.getFinishedSpans().filter((s) => s.attributes[ID] === id)).toEqual([]);
  });
});
