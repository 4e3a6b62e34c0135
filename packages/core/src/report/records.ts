/**
 * The log record of a fault, built off the response path: the redacted thrown value (stacks as
 * frame arrays), the public code and category, the classifier's reason, the fingerprint and the
 * request context. Also what the OTel exception log record is made of.
 */
import type { Fault } from '../fault.js';
import { FaultError } from '../fault-error.js';
import type { Redacted, Redactor } from '../redact/redactor.js';
import { isObjectLike, safeGet, typeLabel } from '../safe-access.js';
import type { ExceptionRecord } from '../telemetry.js';
import type { ReportContext } from './types.js';

/** The request context fields of a record (method and route redacted and bounded). */
export function contextFields(ctx: ReportContext | undefined, redactor: Redactor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ctx === undefined) return out;
  if (ctx.protocol !== undefined) out.protocol = ctx.protocol;
  if (ctx.method !== undefined) out.method = redactor.redactString(ctx.method.slice(0, 256));
  if (ctx.route !== undefined) out.route = redactor.redactString(ctx.route.slice(0, 512));
  if (ctx.traceId !== undefined) out.trace_id = ctx.traceId;
  if (ctx.attributes !== undefined) out.attributes = redactor.redact(ctx.attributes);
  return out;
}

/** The full record of `fault` and the redacted thrown value it contains. */
export function fullRecord(
  fault: Fault,
  ctx: ReportContext | undefined,
  fingerprint: string,
  redactor: Redactor,
): { record: Record<string, unknown>; error: Redacted } {
  const error = redactor.redact(fault.internal.thrown);
  const record: Record<string, unknown> = {
    request_id: fault.id,
    code: fault.code,
    category: fault.category,
    status: fault.status,
    error_type: redactor.redactString(fault.internal.errorType),
    classifier: fault.internal.classifier,
    reason: redactor.redactString(fault.internal.reason),
    fingerprint,
    // Not `err`: pino's standard `err` serializer (Fastify installs it) would re-serialize the
    // redacted tree as if it were an Error and lose its shape.
    error,
  };
  if (fault.internal.source !== undefined) record.source = redactor.redactString(fault.internal.source);
  if (fault.internal.rejectedRequestId !== undefined) record.rejected_request_id = fault.internal.rejectedRequestId;
  Object.assign(record, contextFields(ctx, redactor));
  const thrown = fault.internal.thrown;
  if (FaultError.is(thrown) && thrown.meta !== undefined) record.meta = redactor.redact(thrown.meta);
  return { record, error };
}

/** The OTel exception record from a fault's redacted tree. */
export function exceptionOf(fault: Fault, error: Redacted): ExceptionRecord {
  const tree = typeof error === 'object' && error !== null && !Array.isArray(error) ? error : {};
  return {
    type: fault.internal.errorType,
    message: typeof tree.message === 'string' ? tree.message : typeLabel(fault.internal.thrown),
    stacktrace: Array.isArray(tree.stack) ? tree.stack.join('\n') : undefined,
  };
}

/** The OTel exception record when no log record is written (level filtered): message and stack only. */
export function exceptionOnly(fault: Fault, redactor: Redactor): ExceptionRecord {
  const thrown = fault.internal.thrown;
  const message = isObjectLike(thrown) ? safeGet(thrown, 'message') : undefined;
  const stack = isObjectLike(thrown) ? safeGet(thrown, 'stack') : undefined;
  return {
    type: fault.internal.errorType,
    message: typeof message === 'string' ? redactor.redactString(message) : fault.internal.errorType,
    stacktrace: typeof stack === 'string' ? redactor.redactString(stack) : undefined,
  };
}
