/**
 * The one call an adapter makes after writing (or while writing) a response: marks the active
 * span and queues the log record, linked by the fault's id and the span context.
 */
import type { Span } from '@opentelemetry/api';
import type { Fault } from '../fault.js';
import type { Reporter } from './reporter.js';
import { activeSpan, annotateSpan, captureContext, type Protocol, showableTraceId } from './telemetry.js';
import type { ReportContext } from './types.js';

/** What the adapter tells {@link recordFault}. */
export interface RecordFaultOptions {
  /** Protocol the fault is answered on (decides span status rules). */
  readonly protocol: Protocol;
  /** Where to queue the log record; no record is written without one. */
  readonly reporter?: Reporter | undefined;
  /** HTTP method or gRPC method path. */
  readonly method?: string | undefined;
  /** Route pattern. */
  readonly route?: string | undefined;
  /** More internal fields for the log record. */
  readonly attributes?: Readonly<Record<string, unknown>> | undefined;
  /**
   * The request's own span, when the adapter saw it as the request arrived: marked instead of the
   * active span while it is still recording. Instrumentations that run hooks inside spans of their
   * own (`@fastify/otel`) leave an already ended hook span active where the error is answered.
   * Once it has ended, the active span is marked only when it is of the same trace (a hook span
   * of the same request), never another request's; the log record stays linked to this span.
   */
  readonly span?: Span | undefined;
}

/**
 * Options that only annotate the span, one per protocol: what an adapter passes when it has no
 * reporter, so the error path gathers no record fields and makes no options object.
 */
export const SPAN_ONLY: Readonly<Record<Protocol, RecordFaultOptions>> = {
  http: { protocol: 'http' },
  grpc: { protocol: 'grpc' },
  ws: { protocol: 'ws' },
};

/**
 * The span to mark for a fault whose request's own span is `own`: `own` while it records; once
 * it has ended, the active span only if it is of `own`'s trace (a context that leaked would
 * otherwise mark another request's span); without `own`, the active span.
 */
function spanToMark(own: Span | undefined): Span | undefined {
  if (own === undefined) return activeSpan();
  if (own.isRecording()) return own;
  const active = activeSpan();
  return active !== undefined && active.spanContext().traceId === own.spanContext().traceId ? active : undefined;
}

/**
 * Annotates the request's span or the active one (cheap; a no-op without an OTel SDK) and queues
 * the log record, linked to that span (else to the request's own). Returns the trace id when a
 * valid span context exists, for the response body. Never throws.
 */
export function recordFault(fault: Fault, options: RecordFaultOptions): string | undefined {
  let traceId: string | undefined;
  try {
    const own = options.span;
    const target = spanToMark(own);
    traceId = target === undefined ? undefined : annotateSpan(fault, options.protocol, target);
    // The request's own trace, when no span of it could be marked any more.
    if (target === undefined && own !== undefined) traceId = showableTraceId(own);
    if (options.reporter !== undefined) {
      const ctx: { -readonly [K in keyof ReportContext]: ReportContext[K] } = { protocol: options.protocol };
      const otelContext = captureContext(target ?? own);
      if (otelContext !== undefined) ctx.otelContext = otelContext;
      if (traceId !== undefined) ctx.traceId = traceId;
      if (options.method !== undefined) ctx.method = options.method;
      if (options.route !== undefined) ctx.route = options.route;
      if (options.attributes !== undefined) ctx.attributes = options.attributes;
      options.reporter.report(fault, ctx);
    }
  } catch {
    // Reporting is best effort; the response has priority.
  }
  return traceId;
}
