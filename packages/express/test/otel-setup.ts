/**
 * Real OpenTelemetry tracing for the Express tests: a NodeTracerProvider with an in-memory
 * exporter, and the real `@opentelemetry/instrumentation-http` and `-express` registered before
 * Express is loaded (through `require`, where their hooks patch it). Express 4 is installed under
 * the alias `express4`, a name the require hook does not match: the instrumentation's own patch
 * for the `express` module is applied to it by hand.
 */
import { createRequire } from 'node:module';
import { captureSpans, type SpanCapture } from '@faultline/testkit/tracing';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';

export { freshTrace } from '@faultline/testkit/tracing';

/** An Express factory as the tests use it (both majors). */
export type ExpressFactory = (() => unknown) & { json(options?: object): unknown };

/** Tracing set up and both Expresses loaded under it. */
export interface Tracing extends SpanCapture {
  readonly express5: ExpressFactory;
  readonly express4: ExpressFactory;
}

/** Registers the provider and the instrumentations, then loads Express 5 and 4. */
export function startTracing(): Tracing {
  const expressInstrumentation = new ExpressInstrumentation();
  const capture = captureSpans([new HttpInstrumentation(), expressInstrumentation]);
  const require = createRequire(import.meta.url);
  const express5 = require('express') as ExpressFactory;
  const express4 = require('express4') as ExpressFactory;
  const definition = expressInstrumentation.getModuleDefinitions()[0];
  definition?.patch?.(express4, (require('express4/package.json') as { version: string }).version);
  return { ...capture, express5, express4 };
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
