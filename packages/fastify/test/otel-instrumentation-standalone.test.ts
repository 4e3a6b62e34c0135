/**
 * `@fastify/otel` without an HTTP instrumentation: its `request` span is then the server span,
 * and every hook and handler runs inside a span of its own that has ended where Faultline
 * answers. The fault's id must still reach the request span, and the answer stays safe.
 */
import { type Category, SPAN_ATTRIBUTES, TAXONOMY } from '@faultline/core';
import { type CorpusCase, INSTRUMENTED_CASES, leaksIn } from '@faultline/testkit';
import { SpanKind } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTrace, startTracing, type Tracing } from './otel-setup.js';

const NAMES = ['pg 23505', 'thrown string', 'Proxy with throwing traps', 'Error with SQL and a secret'];
const thrownFor = (request: unknown) =>
  (INSTRUMENTED_CASES[Number((request as { query: { i: string } }).query.i)] as CorpusCase).make();

let tracing: Tracing;
let app: FastifyInstance;
let base = '';
/** Warnings about hooks registered before the plugin: `@fastify/otel`'s own span hooks are not named. */
const earlyWarnings: Error[] = [];
const collectEarly = (warning: Error) => {
  if ((warning as { code?: string }).code === 'FAULTLINE_REGISTERED_BEFORE_PLUGIN') earlyWarnings.push(warning);
};

beforeAll(async () => {
  process.on('warning', collectEarly);
  tracing = startTracing({ http: false });
  const { default: Fastify } = await import('fastify');
  const { faultline, faultlineServerOptions } = await import('../src/index.js');
  app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
  // The application's own hook, registered before the plugin (through @fastify/otel's addHook,
  // which wraps it in a span): guarded in place by the plugin, around @fastify/otel's wrapper.
  // (That wrapper reads `message` of what the hook threw: a thrown null fails there already, as
  // its own TypeError, and that hook's span is never ended. This checks the two guards compose.)
  app.addHook('onRequest', function earlyGate(request, _reply, done) {
    if (request.url === '/early') throw null;
    done();
  });
  // No reporter: the span-only path.
  await app.register(faultline, { reporter: false });
  // A warning is emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', collectEarly);
  app.get('/sync', (request) => {
    throw thrownFor(request);
  });
  app.get('/async', async (request) => {
    await new Promise((resolve) => setImmediate(resolve));
    throw thrownFor(request);
  });
  app.get(
    '/hook',
    {
      preHandler: async (request: unknown) => {
        throw thrownFor(request);
      },
    },
    () => 'unreachable',
  );
  app.get('/early', () => 'unreachable');
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  await app?.close();
  await tracing.shutdown();
});

describe('Fastify 5 under @fastify/otel alone', () => {
  it("registering the plugin after @fastify/otel's span hooks warns of nothing", () => {
    expect(earlyWarnings).toEqual([]);
  });

  it('a hook registered before the plugin, guarded in place, still runs inside @fastify/otel: its failure is a 500 on the request span', async () => {
    const { traceId, traceparent } = freshTrace();
    const res = await fetch(`${base}/early`, { headers: { traceparent }, signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { code: string; request_id: string };
    expect([res.status, body.code]).toEqual([500, 'INTERNAL']);
    const spans = await tracing.spansOf(traceId, (s) => s.some((x) => x.kind === SpanKind.SERVER));
    expect(spans.find((s) => s.kind === SpanKind.SERVER)?.attributes[SPAN_ATTRIBUTES.errorId]).toBe(body.request_id);
  });

  it.each(NAMES)('%s: the request span carries the id, and nothing of the detail', async (name) => {
    const index = INSTRUMENTED_CASES.findIndex((c) => c.name === name);
    const testCase = INSTRUMENTED_CASES[index] as CorpusCase;
    const spec = TAXONOMY[(testCase.liveHttpCategory ?? testCase.category) as Category];
    for (const style of ['sync', 'async', 'hook']) {
      const { traceId, traceparent } = freshTrace();
      const res = await fetch(`${base}/${style}?i=${index}`, {
        headers: { traceparent },
        signal: AbortSignal.timeout(2000),
      });
      const body = (await res.json()) as { code: string; request_id: string };
      expect(res.status, style).toBe(spec.http);
      expect(body.code, style).toBe(spec.code);
      const spans = await tracing.spansOf(traceId, (s) => s.some((x) => x.kind === SpanKind.SERVER));
      const server = spans.find((s) => s.kind === SpanKind.SERVER);
      expect(server?.name, style).toBe('request');
      expect(server?.attributes[SPAN_ATTRIBUTES.errorId], style).toBe(body.request_id);
      // Faultline's attributes, and on a 5xx its status (it replaces @fastify/otel's, which holds
      // error.message). Below 500 Faultline sets no status (semantic conventions), so the status
      // @fastify/otel set from the raw message stays: the instrumentation's own recording.
      for (const s of spans.filter((x) => x.attributes[SPAN_ATTRIBUTES.errorId] !== undefined)) {
        const mine = spec.http >= 500 ? [s.attributes, s.status] : s.attributes;
        expect(leaksIn(JSON.stringify(mine), testCase), style).toEqual([]);
      }
    }
  });
});
