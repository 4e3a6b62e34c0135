/**
 * Storm fingerprints: code + error type + the top stack frames, normalised (directories, column
 * numbers and anonymous-closure noise removed), hashed to a short id. Two records with one
 * fingerprint are the same failure from the same place.
 */
import { createHash } from 'node:crypto';
import { thrownTypeLabel } from '../captured-internal.js';
import type { Fault } from '../fault.js';
import { isObjectLike, type ObjectLike, safeGet, typeLabel } from '../safe-access.js';

const FRAME = /^\s*at (?:(.+?) \()?(?:.*[/\\])?([^/\\():]+):(\d+):\d+\)?$/;
/** Frames a fingerprint is made of. */
export const TOP_FRAMES = 3;

/** Normalises the first `TOP_FRAMES` frames of a V8 stack to `fn@file:line`. */
export function topFrames(stack: string): string[] {
  const frames: string[] = [];
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line);
    if (match === null) continue;
    frames.push(`${match[1] ?? '<anonymous>'}@${match[2]}:${match[3]}`);
    if (frames.length === TOP_FRAMES) break;
  }
  return frames;
}

const NESTED = ['cause', 'driverError', 'original', 'parent', 'originalError', 'error'] as const;

/** Strings per value in {@link signatureParts}: type (or `typeof`), code (`null` for a primitive), message shape. */
const PARTS_PER_VALUE = 3;

/**
 * The parts of {@link errorSignature}, written into `parts` (reused by the caller: no array per
 * fault): three per value, for the value and up to three values it wraps. Returns how many were
 * written. Two faults whose parts are equal one by one have the same signature, so a caller can
 * compare them and keep the signature string it built last time, with no string built or hashed.
 */
export function signatureParts(thrown: unknown, thrownType: string | undefined, parts: (string | null)[]): number {
  let n = 0;
  let current: unknown = thrown;
  // At most four values: the three before are enough for the cycle check.
  let seen0: unknown;
  let seen1: unknown;
  let seen2: unknown;
  for (let depth = 0; depth < 4 && current !== undefined; depth += 1) {
    if (depth > 0 && (current === seen0 || current === seen1 || current === seen2)) break;
    if (depth === 0) seen0 = current;
    else if (depth === 1) seen1 = current;
    else seen2 = current;
    if (!isObjectLike(current)) {
      parts[n] = typeof current;
      parts[n + 1] = null;
      parts[n + 2] = typeof current === 'string' ? shapeOf(current) : '';
      return n + PARTS_PER_VALUE;
    }
    const code = codeOf(current);
    const message = messageOf(current);
    parts[n] = depth === 0 && thrownType !== undefined ? thrownType : typeLabel(current);
    parts[n + 1] = typeof code === 'string' || typeof code === 'number' ? String(code).slice(0, 32) : '';
    parts[n + 2] = typeof message === 'string' ? shapeOf(message) : '';
    n += PARTS_PER_VALUE;
    current = nestedOf(current);
  }
  return n;
}

/** The signature the first `n` of `parts` stand for (see {@link errorSignature}). */
export function joinSignature(parts: readonly (string | null)[], n: number): string {
  let signature = '';
  for (let i = 0; i < n; i += PARTS_PER_VALUE) {
    const separator = i === 0 ? '' : '>';
    const code = parts[i + 1];
    signature +=
      code === null ? `${separator}${parts[i]}:${parts[i + 2]}` : `${separator}${parts[i]}|${code}|${parts[i + 2]}`;
  }
  return signature;
}

/**
 * What makes two thrown values the same error without reading stacks: for the value and up to
 * three values it wraps, the type, the code and the message with digits, quoted text and hex
 * folded. ECONNREFUSED and ETIMEDOUT behind one wrapper differ here; two requests for different
 * ids of the same failure do not. `thrownType`: `typeLabel(thrown)` when the caller already has it
 * (a captured fault remembers it), used for the value itself only; what it wraps is read here.
 */
export function errorSignature(thrown: unknown, thrownType?: string): string {
  const parts: (string | null)[] = [];
  return joinSignature(parts, signatureParts(thrown, thrownType, parts));
}

/** `value.code`, read at its own site (a keyed read through `safeGet` is megamorphic); a throwing read is `undefined`. */
function codeOf(value: ObjectLike): unknown {
  try {
    return (value as { code?: unknown }).code;
  } catch {
    return undefined;
  }
}

/** `value.message`, read at its own site; a throwing read is `undefined`. */
function messageOf(value: ObjectLike): unknown {
  try {
    return (value as { message?: unknown }).message;
  } catch {
    return undefined;
  }
}

/**
 * The first object-like value `value` wraps under one of the usual names ({@link NESTED}, in that
 * order), if any. Each name is read at its own site: a read by a key from a list is a megamorphic
 * keyed load (a quarter of this signature's instructions per fault, callgrind).
 */
function nestedOf(value: ObjectLike): unknown {
  const v = value as { [K in (typeof NESTED)[number]]?: unknown };
  let nested: unknown;
  try {
    nested = v.cause;
    if (isObjectLike(nested)) return nested;
    nested = v.driverError;
    if (isObjectLike(nested)) return nested;
    nested = v.original;
    if (isObjectLike(nested)) return nested;
    nested = v.parent;
    if (isObjectLike(nested)) return nested;
    nested = v.originalError;
    if (isObjectLike(nested)) return nested;
    nested = v.error;
    return isObjectLike(nested) ? nested : undefined;
  } catch {
    return nestedAfterThrow(value);
  }
}

/** {@link nestedOf} once a read threw: every name again, each read alone (a throwing one skipped). */
function nestedAfterThrow(value: ObjectLike): unknown {
  for (let i = 0; i < NESTED.length; i += 1) {
    const nested = safeGet(value, NESTED[i] as string);
    if (isObjectLike(nested)) return nested;
  }
  return undefined;
}

/** True for `[0-9A-Fa-f]`. */
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** True for a regex word character, `[A-Za-z0-9_]` (`\w` without the `u` flag). */
function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/**
 * The variable parts of a message folded in one pass, by hand: what
 * `text.replace(/("[^"]*"|'[^']*')|(\b[0-9a-f]{8,}\b)|\d+/gi, …)` gives (quoted text to `"_"`, a
 * hex run of 8 or more standing alone to `h`, digits to `0`; leftmost first, a quote before a hex
 * run before digits), without a regex match and a callback per part. Every message not in the
 * memory below pays this on the response thread: a storm whose messages differ in their numbers
 * misses it every time (measured on such messages: 1.0 µs against 1.5 µs with the regex; the same
 * for a message with no variable part).
 */
function fold(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 39) {
      const close = text.indexOf(c === 34 ? '"' : "'", i + 1);
      if (close < 0) {
        i += 1;
        continue;
      }
      out += `${text.slice(last, i)}"_"`;
      i = close + 1;
      last = i;
      continue;
    }
    if (!isHex(c)) {
      i += 1;
      continue;
    }
    if (i === 0 || !isWord(text.charCodeAt(i - 1))) {
      let j = i + 1;
      while (j < n && isHex(text.charCodeAt(j))) j += 1;
      if (j - i >= 8 && (j === n || !isWord(text.charCodeAt(j)))) {
        out += `${text.slice(last, i)}h`;
        i = j;
        last = i;
        continue;
      }
    }
    if (c <= 57 && c >= 48) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j += 1;
      out += `${text.slice(last, i)}0`;
      i = j;
      last = i;
      continue;
    }
    i += 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Shapes of recent messages: every fault is fingerprinted, and a failing service repeats a few
 * messages, so the regex pass ran again for the same text (3-4% of a ws server's CPU answering
 * error frames, profiled). Bounded: cleared when full, so distinct messages cost one lookup more.
 */
const SHAPES = new Map<string, string>();
const MAX_SHAPES = 128;
let lastText: string | undefined;
let lastShape = '';

/** A message with its variable parts folded: quoted text, hex runs, numbers. */
export function shapeOf(message: string): string {
  const text = message.length > 256 ? message.slice(0, 256) : message;
  // The last message again (a storm's usual case): one comparison, no hash of a fresh string.
  if (text === lastText) return lastShape;
  let shape = SHAPES.get(text);
  if (shape === undefined) {
    shape = fold(text);
    if (SHAPES.size >= MAX_SHAPES) SHAPES.clear();
    SHAPES.set(text, shape);
  }
  lastText = text;
  lastShape = shape;
  return shape;
}

/** The fingerprint of a fault: 16 hex characters. Reads the stack, so call it off the response path. */
export function fingerprint(fault: Fault): string {
  const thrown = fault.internal.thrown;
  let frames: string[] = [];
  if (typeof thrown === 'object' && thrown !== null) {
    const stack = safeGet(thrown, 'stack');
    if (typeof stack === 'string') frames = topFrames(stack.slice(0, 16_384));
  }
  return createHash('sha1')
    .update(
      `${fault.code}\u0000${fault.internal.reason}\u0000${errorSignature(thrown, thrownTypeLabel(fault.internal))}\u0000${frames.join('\u0000')}`,
    )
    .digest('hex')
    .slice(0, 16);
}
