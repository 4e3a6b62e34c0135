/**
 * The id triangle on Fastify, for every failure style: the id the client is given (the
 * `x-request-id` header and the body's `request_id`, equal), the id of the log record, and the
 * `app.error.id` attribute of the request's own OpenTelemetry server span (instrumentation-http,
 * with `@fastify/otel`, see otel-setup.ts) are one id. Real server on 127.0.0.1, undici fetch.
 */
import { SPAN_ATTRIBUTES } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import { requestTraced } from '@faultline/testkit/tracing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from './otel-setup.js';

const SECRET = 'hunter2-triangle';
const boom = (where: string) => new Error(`${where} failed: postgres://app:${SECRET}@10.0.4.12/shop`);
const tick = () => new Promise((resolve) => setImmediate(resolve));
const pgError = () =>
  Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
    code: '23505',
    severity: 'ERROR',
    detail: `Key (email)=(${SECRET}@example.com) already exists.`,
    table: 'users',
    constraint: 'users_email_key',
  });

let tracing: Tracing;
let app: FastifyInstance;
let base = '';
const log = memoryLog();

beforeAll(async () => {
  tracing = startTracing();
  // Imported only now, so the instrumentations see Fastify (and its `http`) load.
  const { default: Fastify } = await import('fastify');
  const { faultline, faultlineServerOptions } = await import('../src/index.js');
  const { createReporter } = await import('@faultline/core');
  app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
  await app.register(faultline, {
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.url === '/on-request') throw boom('onRequest');
  });
  app.addHook('onResponse', async (request: FastifyRequest) => {
    if (request.url === '/on-response') throw boom('onResponse');
  });
  app.get('/sync', () => {
    throw boom('sync');
  });
  app.get('/async', async () => {
    await tick();
    throw boom('async');
  });
  app.get('/send', (_request, reply: FastifyReply) => {
    reply.send(boom('reply.send'));
  });
  app.get('/on-request', () => 'unreachable');
  app.get(
    '/pre-handler',
    {
      preHandler: async () => {
        throw boom('preHandler');
      },
    },
    () => 'unreachable',
  );
  app.post(
    '/validate',
    { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
    () => ({ ok: true }),
  );
  app.get('/only-get', () => ({ ok: true }));
  app.get('/on-response', () => ({ ok: true }));
  app.get('/string', () => {
    throw `thrown string postgres://app:${SECRET}@10.0.4.12/shop`;
  });
  app.get('/pg', async () => {
    await tick();
    throw pgError();
  });
  await app.register(async (scope) => {
    scope.setErrorHandler((error, _request, reply) => {
      reply.send(error);
    });
    scope.get('/scope-handler', () => {
      throw boom('scope route');
    });
  });
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode >= 400) throw boom('onSend');
      return payload;
    });
    scope.get('/on-send', () => {
      throw boom('route under onSend');
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await tracing?.shutdown();
});

const serverSpan = (spans: ReadableSpan[]) => spans.find((s) => s.kind === SpanKind.SERVER);

/** The log records that carry `id` (full records and compact repeat lines). */
const recordsOf = (id: unknown) =>
  log.records.filter(
    (r) => r.request_id === id || (Array.isArray(r.request_ids) && (r.request_ids as unknown[]).includes(id)),
  );

interface Case {
  name: string;
  method?: string;
  path: string;
  body?: string;
  status: number;
  code?: string;
  /** The answer is the application's success: the record is the late failure's. */
  success?: boolean;
  /** Records under the id when not one: the route's failure and the onSend hook's, both real faults. */
  records?: number;
}

const CASES: Case[] = [
  { name: 'sync throw', path: '/sync', status: 500, code: 'INTERNAL' },
  { name: 'async rejection', path: '/async', status: 500, code: 'INTERNAL' },
  { name: 'reply.send(err)', path: '/send', status: 500, code: 'INTERNAL' },
  { name: 'onRequest hook throws', path: '/on-request', status: 500, code: 'INTERNAL' },
  { name: 'preHandler hook throws', path: '/pre-handler', status: 500, code: 'INTERNAL' },
  { name: 'validation error', method: 'POST', path: '/validate', body: '{}', status: 400 },
  { name: '404 not found', path: '/nowhere', status: 404 },
  { name: '405 method not allowed', method: 'DELETE', path: '/only-get', status: 405 },
  { name: 'scope setErrorHandler hands back reply.send(e)', path: '/scope-handler', status: 500, code: 'INTERNAL' },
  { name: 'onSend throws on the error answer', path: '/on-send', status: 500, code: 'INTERNAL', records: 2 },
  { name: 'thrown string', path: '/string', status: 500, code: 'INTERNAL' },
  { name: 'pg-shaped error', path: '/pg', status: 409 },
  { name: 'onResponse throws after a success', path: '/on-response', status: 200, success: true },
];

describe('Fastify: one id in the answer, the log record and the server span', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', { timeout: 10_000 }, async (_name, c) => {
    const { traceId, response: res, text } = await requestTraced(`${base}${c.path}`, c);
    expect(res.status).toBe(c.status);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(text).not.toContain(SECRET);
    if (c.success) {
      expect(JSON.parse(text)).toEqual({ ok: true });
    } else {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = JSON.parse(text) as { request_id?: unknown; code?: unknown };
      expect(body.request_id).toBe(id);
      if (c.code !== undefined) expect(body.code).toBe(c.code);
    }

    // The log: one record (two where two faults happened), under the answer's id.
    await until(() => recordsOf(id).length > 0);
    await new Promise((r) => setTimeout(r, 30));
    const records = recordsOf(id);
    expect(records).toHaveLength(c.records ?? 1);
    for (const record of records) {
      expect(record.request_id).toBe(id);
      // Keyed by the request's trace too: the record's trace is the server span's.
      expect(record.trace_id).toBe(traceId);
    }
    expect(JSON.stringify(records)).not.toContain(SECRET);

    // The request's server span, in this request's trace.
    const spans = await tracing.spansOf(traceId, (s) => serverSpan(s) !== undefined);
    const span = serverSpan(spans);
    expect(span).toBeDefined();
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.attributes['http.response.status_code'] ?? span?.attributes['http.status_code']).toBe(c.status);
    if (c.success) {
      // onResponse runs once the answer has left, and the server span ended with it: the 200 span
      // stays unmarked, and the record finds it by the request's trace id (asserted above).
      expect(span?.attributes[SPAN_ATTRIBUTES.errorId]).toBeUndefined();
      expect(span?.status.code).toBe(SpanStatusCode.UNSET);
      return;
    }
    expect(span?.attributes[SPAN_ATTRIBUTES.errorId]).toBe(id);
    if (c.status >= 500) expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    else expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
  });
});
