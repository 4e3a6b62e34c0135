/**
 * Real OpenTelemetry tracing for the Fastify tests: a NodeTracerProvider with an in-memory
 * exporter, `@opentelemetry/instrumentation-http` and Fastify's official `@fastify/otel`
 * (registered on every Fastify instance through Fastify's initialization channel), set up before
 * Fastify and the plugin are imported.
 */
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { captureSpans, type SpanCapture } from '@faultline/testkit/tracing';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';

export { freshTrace } from '@faultline/testkit/tracing';

/** Tracing set up; Fastify and the plugin are imported after it. */
export type Tracing = SpanCapture;

/** Registers the provider and the instrumentations (`@fastify/otel` alone when `http` is false). */
export function startTracing(options: { http?: boolean } = {}): Tracing {
  return captureSpans([
    ...(options.http === false ? [] : [new HttpInstrumentation()]),
    new FastifyOtelInstrumentation({ registerOnInitialization: true }),
  ]);
}
