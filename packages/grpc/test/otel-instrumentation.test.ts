/**
 * Faultline under real OpenTelemetry auto-instrumentation on grpc-js: instrumentation-grpc (which
 * wraps every registered handler, reads `err.code`, `err.name` and `err.message` of what the
 * call fails with, and listens to the call's `errorMonitor`) and instrumentation-http (see
 * otel-setup.ts). Hostile values through callback(err), throw, reject and a stream's
 * emit('error') still end the call with the safe status, without a hang, a crash or an unhandled
 * rejection; the server span carries the answer's id; nothing Faultline puts on it holds detail.
 */
import { type Category, GrpcStatus, SPAN_ATTRIBUTES, TAXONOMY } from '@faultline/core';
import { type CorpusCase, INSTRUMENTED_CASES, leaksIn, memoryLog, recordFor } from '@faultline/testkit';
import type { Metadata, Server, UntypedServiceImplementation } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { method } from './fixtures.js';
import { type AnyCall, call, type Kind } from './otel-calls.js';
import { inFreshTrace, startTracing, type Tracing } from './otel-setup.js';

const Service = {
  unary: method('/otel.C/Unary', false, false),
  serverStream: method('/otel.C/ServerStream', false, true),
  clientStream: method('/otel.C/ClientStream', true, false),
  bidi: method('/otel.C/Bidi', true, true),
};

const STYLES: Record<Kind, readonly string[]> = {
  unary: ['sync', 'async', 'callback', 'emit', 'destroy-later'],
  serverStream: ['sync', 'async', 'emit', 'emit-later', 'emit-after-write', 'destroy'],
  clientStream: ['callback', 'emit-in-data', 'throw-in-data'],
  bidi: ['async', 'emit-in-data', 'emit-after-write', 'throw-in-data'],
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Fails the call with the case's value the way `style` says. */
function fail(c: AnyCall, callback?: (error: unknown) => void): unknown {
  const value = () => (INSTRUMENTED_CASES[Number(c.metadata.get('x-case')[0])] as CorpusCase).make();
  const style = String(c.metadata.get('x-style')[0]);
  if (style === 'sync') throw value();
  if (style === 'async') return tick().then(() => Promise.reject(value()));
  if (style === 'callback') callback?.(value());
  else if (style === 'emit') c.emit('error', value());
  else if (style === 'emit-later') setImmediate(() => c.emit('error', value()));
  else if (style === 'emit-after-write') {
    c.write?.({ ok: 1 });
    setImmediate(() => c.emit('error', value()));
  } else if (style === 'destroy') c.destroy(value());
  else if (style === 'destroy-later') setImmediate(() => c.destroy(value()));
  else if (style === 'emit-in-data') c.once('data', () => c.emit('error', value()));
  else if (style === 'throw-in-data')
    c.on('data', () => {
      throw value();
    });
  return undefined;
}

const surprises: string[] = [];
let current = '';
const onRejection = (reason: unknown) => surprises.push(`unhandledRejection in ${current}: ${typeof reason}`);
const onException = (error: unknown) => surprises.push(`uncaughtException in ${current}: ${typeof error}`);
const log = memoryLog();
let tracing: Tracing;
let server: Server;
let client: Record<string, (...args: unknown[]) => unknown> & { close(): void };

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  tracing = startTracing();
  const grpc = tracing.grpc;
  // Imported only now: the adapter imports grpc-js, which the instrumentation patched as it loaded.
  const { addFaultlineService, createServerInterceptor } = await import('../src/index.js');
  const { createReporter } = await import('@faultline/core');
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new grpc.Server({ interceptors: [createServerInterceptor({ reporter })] });
  const handler = (c: AnyCall, callback?: (error: unknown) => void) => fail(c, callback);
  const impl = { unary: handler, serverStream: handler, clientStream: handler, bidi: handler };
  addFaultlineService(server, Service, impl as unknown as UntypedServiceImplementation, { reporter });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  const Client = grpc.makeGenericClientConstructor(Service, 'C');
  client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as typeof client;
});
afterAll(async () => {
  client?.close();
  server?.forceShutdown();
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  await tracing.shutdown();
});

const serverSpan = (spans: ReadableSpan[]) => spans.find((s) => s.kind === SpanKind.SERVER);

describe('grpc-js under instrumentation-grpc and instrumentation-http', () => {
  it('the instrumentation is active: client and server spans named after the method', async () => {
    const { traceId, result } = inFreshTrace(() => call(tracing.grpc, client, 'unary', 0, 'callback', {}));
    await result;
    const spans = await tracing.spansOf(traceId, (s) => s.length >= 2);
    expect(serverSpan(spans)?.name).toBe('grpc.otel.C/Unary');
    expect(spans.some((s) => s.kind === SpanKind.CLIENT)).toBe(true);
  });

  it.each(INSTRUMENTED_CASES.map((c, i) => [c.name, i] as const))('%s', { timeout: 30_000 }, async (name, index) => {
    const testCase = INSTRUMENTED_CASES[index] as CorpusCase;
    const spec = TAXONOMY[(testCase.liveHttpCategory ?? testCase.category) as Category];
    const allowed: number[] = spec.code === 'CONFLICT' ? [spec.grpc, GrpcStatus.ABORTED] : [spec.grpc];
    const failures: string[] = [];
    for (const kind of Object.keys(STYLES) as Kind[]) {
      for (const style of STYLES[kind]) {
        current = `${name} ${kind}/${style}`;
        try {
          const { traceId, result } = inFreshTrace(() => call(tracing.grpc, client, kind, index, style, {}));
          const error = await result;
          expect(allowed).toContain(error.code);
          expect(error.details).toBe(spec.message);
          const id = String((error.metadata as Metadata).get('x-request-id')[0]);
          expect(leaksIn(`${error.message}\n${JSON.stringify(error.metadata.getMap())}`, testCase)).toEqual([]);
          const spans = await tracing.spansOf(traceId, (s) => serverSpan(s) !== undefined);
          const span = serverSpan(spans);
          expect(span?.attributes[SPAN_ATTRIBUTES.errorId]).toBe(id);
          expect(span?.attributes[SPAN_ATTRIBUTES.errorCode]).toBe(spec.code);
          expect(leaksIn(JSON.stringify([span?.attributes, span?.status]), testCase)).toEqual([]);
          expect(recordFor(log.records, id)).toBeDefined();
        } catch (failure) {
          failures.push(`${kind}/${style}: ${(failure as Error).message.split('\n')[0]}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('no unhandled rejection or uncaught exception', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(surprises).toEqual([]);
  });
});
