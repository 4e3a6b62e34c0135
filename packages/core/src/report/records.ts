/**
 * The log record of a fault, built where items are written (this thread or a worker): the
 * redacted thrown value (stacks as frame arrays), the public code and category, the classifier's
 * reason, the fingerprint and the request context. Also what the OTel exception log record is
 * made of.
 */
import type { Fault } from '../fault.js';
import { finishCut } from '../redact/cut.js';
import type { Redacted, Redactor } from '../redact/redactor.js';
import { isObjectLike, safeGet } from '../safe-access.js';
import { attributesRedaction } from './attribute-cache.js';
import type { CtxItem, FullItem } from './items.js';
import type { ExceptionRecord } from './telemetry.js';

/**
 * The request context fields of a record: method and route redacted, then cut where the item
 * marked them (`finishCut`).
 */
export function contextFields(ctx: CtxItem | undefined, redactor: Redactor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ctx === undefined) return out;
  if (ctx.protocol !== undefined) out.protocol = ctx.protocol;
  if (ctx.method !== undefined) out.method = finishCut(ctx.method, redactor.redactString);
  if (ctx.route !== undefined) out.route = finishCut(ctx.route, redactor.redactString);
  if (ctx.traceId !== undefined) out.trace_id = ctx.traceId;
  if (ctx.attributes !== undefined) out.attributes = attributesRedaction(ctx.attributes, redactor);
  return out;
}

/** The full record of `item`, around its thrown value already redacted (`error`). */
export function fullRecord(
  item: FullItem,
  fingerprint: string,
  redactor: Redactor,
  error: Redacted,
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    request_id: item.id,
    code: item.code,
    category: item.category,
    status: item.status,
    error_type: redactor.redactString(item.errorType),
    classifier: item.classifier,
    reason: redactor.redactString(item.reason),
    fingerprint,
    // Not `err`: pino's standard `err` serializer (Fastify installs it) would re-serialize the
    // redacted tree as if it were an Error and lose its shape.
    error,
  };
  if (item.source !== undefined) record.source = redactor.redactString(item.source);
  // The refused incoming id is the client's text (escaped and cut at capture): a token sent as an id is redacted.
  if (item.rejected !== undefined) record.rejected_request_id = redactor.redactString(item.rejected);
  Object.assign(record, contextFields(item.ctx, redactor));
  if (item.meta !== undefined) record.meta = redactor.redactSnapshot(item.meta);
  return record;
}

/** The OTel exception record from an item's redacted tree; `type`: the record's redacted error type. */
export function exceptionOf(error: Redacted, type: string): ExceptionRecord {
  const tree = typeof error === 'object' && error !== null && !Array.isArray(error) ? error : {};
  return {
    type,
    message: typeof tree.message === 'string' ? tree.message : type,
    stacktrace: Array.isArray(tree.stack) ? tree.stack.join('\n') : undefined,
  };
}

/** The OTel exception record when no log record is written (level filtered): message and stack only. */
export function exceptionOnly(fault: Fault, redactor: Redactor): ExceptionRecord {
  const thrown = fault.internal.thrown;
  const message = isObjectLike(thrown) ? safeGet(thrown, 'message') : undefined;
  const stack = isObjectLike(thrown) ? safeGet(thrown, 'stack') : undefined;
  // The error type is a name the thrown value chose: redacted like the record's `error_type`.
  const type = redactor.redactString(fault.internal.errorType);
  return {
    type,
    message: typeof message === 'string' ? redactor.redactString(message) : type,
    stacktrace: typeof stack === 'string' ? redactor.redactString(stack) : undefined,
  };
}
