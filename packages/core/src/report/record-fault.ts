/**
 * The one call an adapter makes after writing (or while writing) a response: marks the active
 * span and queues the log record, linked by the fault's id and the span context.
 */
import { type Span, trace } from '@opentelemetry/api';
import type { Fault } from '../fault.js';
import type { Reporter } from './reporter.js';
import { annotateSpan, captureContext, type Protocol } from './telemetry.js';
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
 * Annotates the active span (cheap; a no-op without an OTel SDK) and queues the log record.
 * Returns the trace id when a valid span context exists, for the response body. Never throws.
 */
export function recordFault(fault: Fault, options: RecordFaultOptions): string | undefined {
  let traceId: string | undefined;
  try {
    const own = options.span?.isRecording() === true ? options.span : undefined;
    traceId = annotateSpan(fault, options.protocol, own);
    if (options.reporter !== undefined) {
      const ctx: { -readonly [K in keyof ReportContext]: ReportContext[K] } = {
        protocol: options.protocol,
        otelContext: own === undefined ? captureContext() : trace.setSpan(captureContext(), own),
      };
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
