/**
 * Storm fingerprints, hashed where a full record is written (writer.ts): the repeat key (code,
 * reason, error signature: type, code and message shape of the value and what it wraps; and
 * identity: which constraint, table, dependency, file or upstream failed) + the top stack frames,
 * normalised (directories, column numbers and anonymous-closure noise removed), hashed to a short
 * id. Two records with one fingerprint are the same failure from the same place; request data
 * (ids, user input in messages) does not change it.
 */
import { isObjectLike, type ObjectLike, safeGet, typeLabel } from '../safe-access.js';
import { failureIdentity } from './failure-identity.js';
import { messageShape } from './message-shape.js';

export { shapeOf } from './message-shape.js';

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

/**
 * Strings per value in {@link signatureParts}: type (or `typeof`), code (`null` for a primitive),
 * message shape, and identity (the schema names the message quotes, then the fields naming the
 * failing thing: `failure-identity.ts`; `''` when none).
 */
const PARTS_PER_VALUE = 4;

/**
 * The parts of {@link errorSignature} and of the identity ({@link joinIdentity}), written into `parts` (reused by
 * the caller: no array per fault): four per value, for the value and up to three values it wraps. Returns how many were
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
      const shape = typeof current === 'string' ? messageShape(current) : undefined;
      parts[n + 2] = shape === undefined ? '' : shape.shape;
      parts[n + 3] = shape === undefined ? '' : shape.names;
      return n + PARTS_PER_VALUE;
    }
    const code = codeOf(current);
    const message = messageOf(current);
    parts[n] = depth === 0 && thrownType !== undefined ? thrownType : typeLabel(current);
    parts[n + 1] = typeof code === 'string' || typeof code === 'number' ? String(code).slice(0, 32) : '';
    const shape = typeof message === 'string' ? messageShape(message) : undefined;
    parts[n + 2] = shape === undefined ? '' : shape.shape;
    const fields = failureIdentity(current, code);
    const names = shape === undefined ? '' : shape.names;
    parts[n + 3] = fields === '' ? names : identityPart(names, fields);
    n += PARTS_PER_VALUE;
    current = nestedOf(current);
  }
  return n;
}

let lastNames = '';
let lastFieldsPart = '';
let lastIdentityPart = '';

/**
 * A value's identity part: the schema names its message quotes and the fields naming the failing
 * thing; the last part again (the very same string) when both are the last ones, so a storm
 * allocates no string here.
 */
function identityPart(names: string, fields: string): string {
  if (names === lastNames && fields === lastFieldsPart) return lastIdentityPart;
  lastNames = names;
  lastFieldsPart = fields;
  lastIdentityPart = `${names}|${fields}`;
  return lastIdentityPart;
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
 * What names the failing thing in the first `n` of `parts`: each value's identity part, `'>'`-joined
 * from the first value that has one (`''` when none has). Bounded: at most four values, each's
 * part bounded (`message-shape.ts`, `failure-identity.ts`).
 */
export function joinIdentity(parts: readonly (string | null)[], n: number): string {
  let identity = '';
  let any = false;
  for (let i = 0; i < n; i += PARTS_PER_VALUE) {
    const part = parts[i + 3] ?? '';
    if (part !== '') any = true;
    if (any) identity += i === 0 ? part : `>${part}`;
  }
  return identity;
}

/**
 * What makes two thrown values the same KIND of error without reading stacks: for the value and up to
 * three values it wraps, the type, the code and the message with digits, quoted text and hex
 * folded. ECONNREFUSED and ETIMEDOUT behind one wrapper differ here; two requests for different
 * ids of the same failure do not. Two different failures of one kind (another constraint, another
 * dependency down, another file) may share it: their identity parts tell them apart ({@link joinIdentity}). `thrownType`: `typeLabel(thrown)` when the caller already has it
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
