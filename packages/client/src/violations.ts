/**
 * Field violations from an untrusted server: at most 100, each with an RFC 6901 JSON Pointer (`''`
 * or starting with `/`, `~` escaped as `~0` or `~1`) and a detail of at most 256 characters, both
 * one line; anything else is dropped.
 */
import type { RemoteFieldViolation } from './remote-fault.js';
import { boundedText, DECODE_LIMITS, own } from './untrusted.js';

/** An RFC 6901 JSON Pointer: `''`, or `/`-separated tokens where `~` is only ever `~0` or `~1`. */
const JSON_POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

/** A violation when `pointer` is a JSON Pointer and both parts are bounded lines, else undefined. */
export function pointerViolation(pointer: unknown, detail: unknown): RemoteFieldViolation | undefined {
  const p = boundedText(pointer, true);
  const d = boundedText(detail);
  return p !== undefined && d !== undefined && JSON_POINTER.test(p) ? { pointer: p, detail: d } : undefined;
}

/** At most `DECODE_LIMITS.violations` of the defined entries of `list` (which is read no further). */
export function firstViolations<T>(
  list: readonly T[],
  toViolation: (entry: T) => RemoteFieldViolation | undefined,
): RemoteFieldViolation[] {
  const out: RemoteFieldViolation[] = [];
  for (const entry of list) {
    if (out.length === DECODE_LIMITS.violations) break;
    const violation = toViolation(entry);
    if (violation !== undefined) out.push(violation);
  }
  return out;
}

/** The `errors` member of a problem body or an envelope: `[{pointer, detail}]`, bounded. */
export function violationsOf(value: unknown): RemoteFieldViolation[] {
  if (!Array.isArray(value)) return [];
  return firstViolations(value.slice(0, DECODE_LIMITS.violations * 2), (v: unknown) =>
    pointerViolation(own(v, 'pointer'), own(v, 'detail')),
  );
}
