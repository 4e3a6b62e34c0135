/**
 * JSON:API 1.1 error documents (`application/vnd.api+json`):
 * `{"errors":[{id, status, code, title, detail, source:{pointer|parameter|header}, links:{type}, meta}]}`.
 *
 * Faultline writes one error object per field violation, all sharing the request id as `id`. Read
 * as untrusted: only the first 200 entries are looked at; the code is the first entry's that
 * follows the code rule; an entry with a `source` is a field violation (its `detail` is the
 * violation's), the message is the `detail` of the first entry without one; `meta` holds the
 * public params; the request id is the `id` only when every entry looked at shares it (a foreign
 * server gives each error its own id). Only own properties are read.
 */
import type { RemoteFieldViolation } from '../remote-fault.js';
import { boundedText, conformingCode, DECODE_LIMITS, isRecord, own } from '../untrusted.js';
import { firstViolations, namesPrototype, pointerViolation } from '../violations.js';
import type { BodyReading } from './reading.js';

/** A query parameter or header name: a bounded line that does not name the prototype (`filter[__proto__]`). */
function fieldName(value: unknown): string | undefined {
  const name = boundedText(value);
  return name === undefined || namesPrototype(name) ? undefined : name;
}

/** The violation an error object's `source` describes, if any. */
function violationOf(entry: Record<string, unknown>): RemoteFieldViolation | undefined {
  const source = own(entry, 'source');
  if (!isRecord(source)) return undefined;
  const detail = own(entry, 'detail');
  const pointer = own(source, 'pointer');
  if (pointer !== undefined) return pointerViolation(pointer, detail);
  const d = boundedText(detail);
  const parameter = fieldName(own(source, 'parameter'));
  if (parameter !== undefined && d !== undefined) return { pointer: '', detail: d, parameter };
  const header = fieldName(own(source, 'header'));
  if (header !== undefined && d !== undefined) return { pointer: '', detail: d, header };
  return undefined;
}

/** True when an error object's source names a pointer, parameter or header (it describes one field, not the whole fault). */
function hasSource(entry: Record<string, unknown>): boolean {
  const source = own(entry, 'source');
  return ['pointer', 'parameter', 'header'].some((key) => own(source, key) !== undefined);
}

/** Reads a JSON:API error document; undefined when `errors` is not a non-empty array of objects. */
export function readJsonApi(document: Record<string, unknown>): BodyReading | undefined {
  const errors = own(document, 'errors');
  if (!Array.isArray(errors)) return undefined;
  const entries = errors.slice(0, DECODE_LIMITS.violations * 2).filter(isRecord);
  const first = entries.find((e) => conformingCode(own(e, 'code')) !== undefined) ?? entries[0];
  if (first === undefined) return undefined;
  const id = own(first, 'id');
  const shared = entries.every((e) => own(e, 'id') === id);
  const status = own(first, 'status');
  return {
    format: 'jsonapi',
    code: own(first, 'code'),
    message: own(
      entries.find((e) => !hasSource(e)),
      'detail',
    ),
    requestId: shared ? id : undefined,
    // JSON:API carries the status as a string.
    status: typeof status === 'string' && /^\d{3}$/.test(status) ? Number(status) : status,
    fieldViolations: firstViolations(entries, violationOf),
    params: own(first, 'meta'),
  };
}
