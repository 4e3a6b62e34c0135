/**
 * OpenTelemetry linking through the API packages only (`@opentelemetry/api`, and
 * `@opentelemetry/api-logs` for log records), loaded once an SDK registered ({@link otelTrace}).
 * Without a registered SDK every call is a cheap no-op: there is no active span, and the global
 * logger provider is the no-op one.
 *
 * What reaches telemetry is as safe as a response: span status descriptions are the generic
 * public message, never the raw error message; the exception itself goes to a log record tied
 * to the span context, with redacted message and stack.
 */
import type { Context, Span } from '@opentelemetry/api';
import type { AnyValueMap, Logger, LoggerProvider } from '@opentelemetry/api-logs';
import { isShowableTraceId } from '../answer/templates.js';
import type { Fault } from '../fault.js';
import { GrpcStatus, type GrpcStatusCode, TAXONOMY } from '../taxonomy.js';
import { activeContext, type LogsApi, otelLogs, otelTrace, SPAN_KEY } from './otel-api.js';

/** The protocol a fault was answered on; decides the span status rules. */
export type Protocol = 'http' | 'grpc' | 'ws';

/** The active span, if any (through the registry while the API's import is pending: otel-api.ts). */
export function activeSpan(): Span | undefined {
  const api = otelTrace();
  if (api !== undefined) return api.trace.getActiveSpan();
  return activeContext()?.getValue(SPAN_KEY) as Span | undefined;
}

/** `SpanStatusCode.ERROR` (2 in the specification and the API; spans may be marked before its import resolves). */
const SPAN_STATUS_ERROR = 2;

/** Span attribute names set on the active span. */
export const SPAN_ATTRIBUTES = {
  errorType: 'error.type',
  errorId: 'app.error.id',
  errorCode: 'app.error.code',
} as const;

/** gRPC server span codes that are errors per the semantic conventions. */
const GRPC_SERVER_ERROR_CODES: ReadonlySet<GrpcStatusCode> = new Set([
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
]);

/** True when a server span answering `fault` on `protocol` must have status ERROR (semconv). */
export function isServerSpanError(fault: Fault, protocol: Protocol): boolean {
  switch (protocol) {
    case 'http':
      return fault.status >= 500;
    case 'grpc':
      return GRPC_SERVER_ERROR_CODES.has(fault.grpcCode);
    case 'ws':
      return fault.serverFault;
  }
}

/**
 * Marks `span` (default: the active span) with the fault: `error.type` (the category's code),
 * `app.error.id`, `app.error.code`, and the span status per the semantic conventions, with the
 * generic public message as description. Returns the span's trace id when it may be shown.
 * Never throws.
 */
export function annotateSpan(
  fault: Fault,
  protocol: Protocol,
  span: Span | undefined = activeSpan(),
): string | undefined {
  if (span === undefined) return undefined;
  try {
    span.setAttribute(SPAN_ATTRIBUTES.errorType, TAXONOMY[fault.category].code);
    span.setAttribute(SPAN_ATTRIBUTES.errorId, fault.id);
    span.setAttribute(SPAN_ATTRIBUTES.errorCode, fault.code);
    if (isServerSpanError(fault, protocol)) span.setStatus({ code: SPAN_STATUS_ERROR, message: fault.message });
    const traceId = span.spanContext().traceId;
    return isShowableTraceId(traceId) ? traceId : undefined;
  } catch {
    return undefined;
  }
}

/** `span`'s trace id when its span context is valid (never all zeros), else `undefined`. Never throws. */
export function showableTraceId(span: Span): string | undefined {
  try {
    const { traceId } = span.spanContext();
    return isShowableTraceId(traceId) ? traceId : undefined;
  } catch {
    return undefined;
  }
}

/** The active span's trace id when a valid span context exists (never all zeros), else `undefined`. */
export function activeTraceId(): string | undefined {
  const span = activeSpan();
  return span === undefined ? undefined : showableTraceId(span);
}

/** The span active when each owner (a raw request, a call) was remembered. */
const rememberedSpans = new WeakMap<object, Span>();

/**
 * Remembers the active span, if any, for `owner` (a raw request as it arrives, a call as its
 * handler starts): the request's own span, for faults answered where another span, or none, is
 * active. Without an SDK there is no active span and nothing is kept.
 */
export function rememberActiveSpan(owner: object): void {
  const span = activeSpan();
  if (span !== undefined) rememberedSpans.set(owner, span);
}

/** The span remembered for `owner`, if any. */
export function rememberedSpan(owner: object | undefined): Span | undefined {
  return owner === undefined ? undefined : rememberedSpans.get(owner);
}

/**
 * The active OpenTelemetry context, captured on the response path so deferred work stays linked;
 * `undefined` without an SDK (the root context: nothing to link). With `span`, that context with
 * `span` set in it.
 */
export function captureContext(span?: Span): Context | undefined {
  const api = otelTrace();
  if (api !== undefined)
    return span === undefined ? api.context.active() : api.trace.setSpan(api.context.active(), span);
  const active = activeContext();
  return span === undefined || active === undefined ? active : active.setValue(SPAN_KEY, span);
}

/** The redacted exception, as the reporter hands it to {@link emitExceptionLog}. */
export interface ExceptionRecord {
  readonly type: string;
  readonly message: string;
  readonly stacktrace: string | undefined;
}

const SCOPE = '@faultline/core';

let cachedProvider: LoggerProvider | undefined;
let cachedLogger: Logger | undefined;

/**
 * The OTel logger, fetched again only when the global provider changes: without an SDK every
 * `getLogger` call allocates a proxy logger, which is too slow for a storm.
 */
function otelLogger(logs: LogsApi['logs']): Logger {
  const provider = logs.getLoggerProvider();
  if (provider !== cachedProvider || cachedLogger === undefined) {
    cachedProvider = provider;
    cachedLogger = provider.getLogger(SCOPE);
  }
  return cachedLogger;
}

/**
 * Emits the exception as an OTel log record tied to the span context captured in `otelContext`
 * (semconv `exception.*` attributes, already redacted) plus the fault's id and codes. Never throws.
 */
export function emitExceptionLog(fault: Fault, exception: ExceptionRecord, otelContext: Context | undefined): void {
  try {
    const api = otelLogs();
    if (!api) return;
    const attributes: AnyValueMap = {
      'exception.type': exception.type,
      'exception.message': exception.message,
      [SPAN_ATTRIBUTES.errorType]: TAXONOMY[fault.category].code,
      [SPAN_ATTRIBUTES.errorId]: fault.id,
      [SPAN_ATTRIBUTES.errorCode]: fault.code,
    };
    if (exception.stacktrace !== undefined) attributes['exception.stacktrace'] = exception.stacktrace;
    otelLogger(api.logs).emit({
      severityNumber: fault.serverFault ? api.SeverityNumber.ERROR : api.SeverityNumber.WARN,
      severityText: fault.serverFault ? 'ERROR' : 'WARN',
      body: `${fault.code} ${fault.id}`,
      attributes,
      ...(otelContext === undefined ? {} : { context: otelContext }),
    });
  } catch {
    // Telemetry must never break the pipeline.
  }
}
