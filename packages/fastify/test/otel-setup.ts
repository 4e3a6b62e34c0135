/**
 * Real OpenTelemetry tracing for the Fastify tests: a NodeTracerProvider with an in-memory
 * exporter, `@opentelemetry/instrumentation-http` and Fastify's official `@fastify/otel`
 * (registered on every Fastify instance through Fastify's initialization channel), set up before
 * Fastify and the plugin are imported.
 */
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Tracing set up; Fastify and the plugin are imported after it. */
export interface Tracing {
  readonly exporter: InMemorySpanExporter;
  /** Waits (up to `ms`) for the spans of `traceId` until `done` holds; returns them. */
  spansOf(traceId: string, done: (spans: ReadableSpan[]) => boolean, ms?: number): Promise<ReadableSpan[]>;
  shutdown(): Promise<void>;
}

/** Registers the provider and the instrumentations (`@fastify/otel` alone when `http` is false). */
export function startTracing(options: { http?: boolean } = {}): Tracing {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      ...(options.http === false ? [] : [new HttpInstrumentation()]),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
    ],
  });
  return {
    exporter,
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

/** A fresh W3C trace id and the `traceparent` header that makes the server span join it. */
export function freshTrace(): { traceId: string; traceparent: string } {
  traceCounter += 1;
  const traceId = `${(Date.now() % 0xffffffff).toString(16).padStart(8, '0')}${traceCounter.toString(16).padStart(24, '0')}`;
  return { traceId, traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
}
