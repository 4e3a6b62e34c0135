/**
 * Field violations from an untrusted server: at most 100, each with an RFC 6901 JSON Pointer (`''`
 * or starting with `/`, `~` escaped as `~0` or `~1`) that does not name the prototype, and a detail
 * of at most 256 characters, both one line; anything else is dropped.
 */
import type { RemoteFieldViolation } from './remote-fault.js';
import { boundedText, DECODE_LIMITS, own } from './untrusted.js';

/** An RFC 6901 JSON Pointer: `''`, or `/`-separated tokens where `~` is only ever `~0` or `~1`. */
const JSON_POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

/** The words of a field path, in any notation (`/a/b`, `a.b[0]`, `a[b]`). */
const WORD = /[\w$]+/g;

/**
 * True when a field path names `__proto__`, or `constructor` then `prototype`, in any notation
 * (`/a/__proto__/x`, `a.__proto__.x`, `filter[constructor][prototype]`): a caller that applies the
 * path to an object of its own (a form's error state, by a JSON Pointer or a dotted path) would
 * write into `Object.prototype`. No validator of a request a server accepted points there (Fastify's
 * JSON parser refuses a body with these keys), so such a violation is dropped.
 */
export function namesPrototype(path: string): boolean {
  // `~1` and `~0` (a JSON Pointer's `/` and `~`) separate words like the characters they stand for.
  const words = path.replace(/~[01]/g, '/').match(WORD) ?? [];
  return words.some((word, i) => word === '__proto__' || (word === 'constructor' && words[i + 1] === 'prototype'));
}

/**
 * A violation when `pointer` is a JSON Pointer that does not name the prototype and both parts are
 * bounded lines, else undefined.
 */
export function pointerViolation(pointer: unknown, detail: unknown): RemoteFieldViolation | undefined {
  const p = boundedText(pointer, true);
  const d = boundedText(detail);
  return p !== undefined && d !== undefined && JSON_POINTER.test(p) && !namesPrototype(p)
    ? { pointer: p, detail: d }
    : undefined;
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
