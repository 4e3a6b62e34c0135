/**
 * The request's own span, for the fault's id. Faultline marks the active span where it answers,
 * but `@fastify/otel` runs every hook and handler inside a span of its own and ends it when the
 * function returns: where Fastify's error path runs, the active span is such a hook span, already
 * ended, and the id would reach no span. The request's span is instead the one active when the
 * raw request reached `genReqId` (remembered there, before any hook: the server span of an HTTP
 * instrumentation), else the request span `@fastify/otel` made (its `request.opentelemetry()`
 * decoration).
 */
import { rememberedSpan } from '@faultline/core/adapter';
import type { FastifyRequest } from 'fastify';

type Span = NonNullable<ReturnType<typeof rememberedSpan>>;

/** The span `@fastify/otel` made for `request`, if it instruments it. Never throws. */
function fastifyOtelSpan(request: FastifyRequest): Span | undefined {
  try {
    const decoration = (request as { opentelemetry?: unknown }).opentelemetry;
    if (typeof decoration !== 'function') return undefined;
    const span = (decoration.call(request) as { span?: unknown } | undefined)?.span;
    return typeof (span as Span | undefined)?.isRecording === 'function' ? (span as Span) : undefined;
  } catch {
    return undefined;
  }
}

/** The request's own span (see the module comment), if one is known. */
export function requestSpanOf(request: FastifyRequest): Span | undefined {
  return rememberedSpan(request.raw) ?? fastifyOtelSpan(request);
}
