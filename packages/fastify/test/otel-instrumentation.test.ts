/**
 * Faultline under real OpenTelemetry auto-instrumentation on Fastify 5: `@fastify/otel` (which
 * wraps every handler and hook, reads `error.message` and calls `span.recordException`) and
 * `@opentelemetry/instrumentation-http` (see otel-setup.ts). Hostile thrown values through every
 * failure style still get the safe answer, without a hang, a crash or an unhandled rejection;
 * the server span carries the answer's id; and nothing Faultline puts on spans holds the raw
 * detail. (What `@fastify/otel` records itself is the tracing configuration's business.)
 */
import { type Category, SPAN_ATTRIBUTES, TAXONOMY } from '@faultline/core';
import { type CorpusCase, INSTRUMENTED_CASES, leaksIn, memoryLog, recordFor } from '@faultline/testkit';
import { fetchTraced } from '@faultline/testkit/tracing';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshTrace, startTracing, type Tracing } from './otel-setup.js';
import { failingMidway } from './stream-helpers.js';

type Req = { query: { i?: string }; url: string };
const tick = () => new Promise((resolve) => setImmediate(resolve));
const thrownFor = (req: Req) => (INSTRUMENTED_CASES[Number(req.query.i)] as CorpusCase).make();
const surprises: string[] = [];
let current = '';
const onRejection = (reason: unknown) => surprises.push(`unhandledRejection in ${current}: ${typeof reason}`);
const onException = (error: unknown) => surprises.push(`uncaughtException in ${current}: ${typeof error}`);

let tracing: Tracing;
let app: FastifyInstance;
let base = '';
const log = memoryLog();

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  tracing = startTracing();
  // Imported only now, so the instrumentations see Fastify (and its `http`) load.
  const { default: Fastify } = await import('fastify');
  const { faultline, faultlineServerOptions } = await import('../src/index.js');
  const { createReporter } = await import('@faultline/core');
  app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
  await app.register(faultline, {
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/on-request')) throw thrownFor(request as Req);
  });
  app.get('/ok', () => ({ ok: true }));
  app.get('/sync', (request) => {
    throw thrownFor(request as Req);
  });
  app.get('/async', async (request) => {
    await tick();
    throw thrownFor(request as Req);
  });
  app.get('/on-request', () => 'unreachable');
  const hook = async (request: unknown) => {
    await tick();
    throw thrownFor(request as Req);
  };
  app.get('/hook', { preHandler: hook }, () => 'unreachable');
  const callbackHook = (request: unknown, _reply: unknown, done: (e?: unknown) => void) => {
    setImmediate(() => done(thrownFor(request as Req)));
  };
  app.get('/callback-hook', { preHandler: callbackHook as never }, () => 'unreachable');
  app.get('/stream', (request, reply: FastifyReply) =>
    reply.send(failingMidway(() => thrownFor(request as Req), reply)),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  await app?.close();
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  await tracing.shutdown();
});

const serverSpan = (spans: ReadableSpan[]) => spans.find((s) => s.kind === SpanKind.SERVER);

describe('Fastify 5 under @fastify/otel and instrumentation-http', () => {
  it('the instrumentations are active: an http server span and @fastify/otel request and handler spans', async () => {
    const { traceId, traceparent } = freshTrace();
    const res = await fetch(`${base}/ok`, { headers: { traceparent }, signal: AbortSignal.timeout(2000) });
    expect(res.status).toBe(200);
    const spans = await tracing.spansOf(traceId, (s) => serverSpan(s) !== undefined && s.length >= 3);
    const names = spans.map((s) => s.name);
    expect(serverSpan(spans)?.name).toBe('GET /ok');
    expect(names).toContain('request');
    expect(names.some((n) => n.startsWith('handler - '))).toBe(true);
  });

  it.each(INSTRUMENTED_CASES.map((c, i) => [c.name, i] as const))('%s', { timeout: 20_000 }, async (name, index) => {
    const testCase = INSTRUMENTED_CASES[index] as CorpusCase;
    const falsy = !testCase.make();
    const spec = TAXONOMY[(testCase.liveHttpCategory ?? testCase.category) as Category];
    // A falsy done(value) means "no error" to Fastify.
    const styles = ['sync', 'async', 'on-request', 'hook', ...(falsy ? [] : ['callback-hook'])];
    const failures: string[] = [];
    for (const style of styles) {
      current = `${name} ${style}`;
      try {
        const answer = await fetchTraced(`${base}/${style}?i=${index}`);
        const { traceId, body } = answer;
        expect(answer.status).toBe(spec.http);
        expect(body.code).toBe(spec.code);
        expect(leaksIn(answer.visible, testCase)).toEqual([]);
        const spans = await tracing.spansOf(traceId, (s) => serverSpan(s) !== undefined && s.length >= 2);
        const span = serverSpan(spans);
        expect(span?.attributes[SPAN_ATTRIBUTES.errorId]).toBe(body.request_id);
        expect(span?.attributes[SPAN_ATTRIBUTES.errorCode]).toBe(spec.code);
        // What Faultline puts on any span (its attributes and the status it sets) holds no detail.
        for (const s of spans) {
          if (s.attributes[SPAN_ATTRIBUTES.errorId] === undefined) continue;
          expect(leaksIn(JSON.stringify([s.attributes, s.status]), testCase)).toEqual([]);
        }
        // Recorded in the reporter's next turn (the loop's check phase), not before the answer.
        await vi.waitFor(() => expect(recordFor(log.records, body.request_id)).toBeDefined(), { timeout: 2000 });
      } catch (failure) {
        failures.push(`${style}: ${(failure as Error).message.split('\n')[0]}`);
      }
    }
    current = `${name} stream`;
    const streamed = fetch(`${base}/stream?i=${index}`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text());
    await expect(streamed).rejects.toThrow(/terminated|aborted|socket/i);
    await tick();
    expect(failures).toEqual([]);
  });

  it('no unhandled rejection or uncaught exception', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(surprises).toEqual([]);
  });
});
