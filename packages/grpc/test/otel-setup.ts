/**
 * Real OpenTelemetry tracing for the gRPC tests: a NodeTracerProvider with an in-memory exporter,
 * `@opentelemetry/instrumentation-http` and `@opentelemetry/instrumentation-grpc` registered
 * before grpc-js is loaded (through `require`, where their hooks patch it).
 */
import { createRequire } from 'node:module';
import { captureSpans, freshTraceId, type SpanCapture } from '@faultline/testkit/tracing';
import type * as GrpcJs from '@grpc/grpc-js';
import { context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';

/** Tracing set up and grpc-js loaded under it. */
export interface Tracing extends SpanCapture {
  readonly grpc: typeof GrpcJs;
}

/** Registers the provider and the instrumentations, then loads grpc-js. */
export function startTracing(): Tracing {
  const capture = captureSpans([new HttpInstrumentation(), new GrpcInstrumentation()]);
  const grpc = createRequire(import.meta.url)('@grpc/grpc-js') as typeof GrpcJs;
  return { ...capture, grpc };
}

/** Runs `fn` under a fresh remote parent, so the client's and the server's spans join its trace. */
export function inFreshTrace<T>(fn: () => T): { traceId: string; result: T } {
  const traceId = freshTraceId();
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  return { traceId, result: context.with(parent, fn) };
}
