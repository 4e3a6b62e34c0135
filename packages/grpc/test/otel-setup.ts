/**
 * Real OpenTelemetry tracing for the gRPC tests: a NodeTracerProvider with an in-memory exporter,
 * `@opentelemetry/instrumentation-http` and `@opentelemetry/instrumentation-grpc` registered
 * before grpc-js is loaded (through `require`, where their hooks patch it).
 */
import { createRequire } from 'node:module';
import type * as GrpcJs from '@grpc/grpc-js';
import { context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Tracing set up and grpc-js loaded under it. */
export interface Tracing {
  readonly exporter: InMemorySpanExporter;
  readonly grpc: typeof GrpcJs;
  /** Waits (up to `ms`) for the spans of `traceId` until `done` holds; returns them. */
  spansOf(traceId: string, done: (spans: ReadableSpan[]) => boolean, ms?: number): Promise<ReadableSpan[]>;
  shutdown(): Promise<void>;
}

/** Registers the provider and the instrumentations, then loads grpc-js. */
export function startTracing(): Tracing {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new HttpInstrumentation(), new GrpcInstrumentation()],
  });
  const grpc = createRequire(import.meta.url)('@grpc/grpc-js') as typeof GrpcJs;
  return {
    exporter,
    grpc,
    async spansOf(traceId, done, ms = 1000) {
      const until = Date.now() + ms;
      for (;;) {
        const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
        if (done(spans) || Date.now() > until) return spans;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}

let traceCounter = 0;

/** Runs `fn` under a fresh remote parent, so the client's and the server's spans join its trace. */
export function inFreshTrace<T>(fn: () => T): { traceId: string; result: T } {
  traceCounter += 1;
  const traceId = `${(Date.now() % 0xffffffff).toString(16).padStart(8, '0')}${traceCounter.toString(16).padStart(24, '0')}`;
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  return { traceId, result: context.with(parent, fn) };
}
