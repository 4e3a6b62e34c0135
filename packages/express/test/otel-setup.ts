/**
 * Real OpenTelemetry tracing for the Express tests: a NodeTracerProvider with an in-memory
 * exporter, and the real `@opentelemetry/instrumentation-http` and `-express` registered before
 * Express is loaded (through `require`, where their hooks patch it). Express 4 is installed under
 * the alias `express4`, a name the require hook does not match: the instrumentation's own patch
 * for the `express` module is applied to it by hand.
 */
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** An Express factory as the tests use it (both majors). */
export type ExpressFactory = (() => unknown) & { json(options?: object): unknown };

/** Tracing set up and both Expresses loaded under it. */
export interface Tracing {
  readonly exporter: InMemorySpanExporter;
  readonly express5: ExpressFactory;
  readonly express4: ExpressFactory;
  /** Waits (up to `ms`) for the spans of `traceId` until one matches `done`; returns them. */
  spansOf(traceId: string, done: (spans: ReadableSpan[]) => boolean, ms?: number): Promise<ReadableSpan[]>;
  shutdown(): Promise<void>;
}

/** Registers the provider and the instrumentations, then loads Express 5 and 4. */
export function startTracing(): Tracing {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  const expressInstrumentation = new ExpressInstrumentation();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new HttpInstrumentation(), expressInstrumentation],
  });
  const require = createRequire(import.meta.url);
  const express5 = require('express') as ExpressFactory;
  const express4 = require('express4') as ExpressFactory;
  const definition = expressInstrumentation.getModuleDefinitions()[0];
  definition?.patch?.(express4, (require('express4/package.json') as { version: string }).version);
  return {
    exporter,
    express5,
    express4,
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

/**
 * True when instrumentation-express's `next` wrapper can read `value` without throwing: what it
 * does (`asErrorAndMessage`, then `span.recordException`), done on a fresh value.
 */
export function instrumentationReads(value: unknown): boolean {
  try {
    if (value instanceof Error) {
      void [value.message, value.name, value.stack, (value as { code?: unknown }).code];
    } else {
      void String(value);
    }
    return true;
  } catch {
    return false;
  }
}
