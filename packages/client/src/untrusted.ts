/**
 * The rules every decoder applies to what a server sent, on every protocol. A server is untrusted:
 * each value is checked against its shape and size before it reaches a {@link RemoteFault}, and a
 * value that breaks a rule is dropped (never cut), so the fault falls back to what the taxonomy says.
 *
 * @module
 */

import { isOneLine, showsSomething } from '@faultline/taxonomy';

export { isOneLine } from '@faultline/taxonomy';

/**
 * The bounds of decoding, the same on HTTP, gRPC and WebSocket:
 *
 * - `body`: longest HTTP body or WebSocket frame decoded, in characters (UTF-16 code units, 64 Ki); a
 *   body stream is read to at most four times as many bytes, then cancelled. A longer HTTP body
 *   decodes by status (non-conforming); a longer frame is not decoded.
 * - `code`: a conforming code is UPPER_SNAKE (`/^[A-Z][A-Z0-9_]*$/`) of at most 64 characters.
 * - `message`: a message longer than 1024 characters is replaced by the category's generic message.
 * - `violations`: at most 100 field violations; `pointer` (an RFC 6901 JSON Pointer; a JSON:API
 *   `parameter` or `header` instead) and `detail` of at most 256 characters each, else the
 *   violation is dropped; so is one whose path names `__proto__`, or `constructor` then `prototype`.
 * - `params`: at most 8 parameters, camelCase names of at most 32 characters that are not
 *   `Object.prototype` members, strings of at most 64 characters, finite numbers.
 *
 * Every text a server sends (message, violation parts, string params) must also be one line that
 * shows what it holds (the rule is `isOneLine`, from `@faultline/taxonomy`, which core's catalogs follow too): no control characters (C0, DEL,
 * C1), no U+2028 or U+2029, no lone surrogates, no format characters (bidirectional controls and
 * marks: "Trojan Source" text that shows other words than it holds; zero-width space, word joiner,
 * byte order mark, soft hyphen, tag characters U+E0000–U+E007F, interlinear annotation
 * U+FFF9–U+FFFB), no other default-ignorable characters (Hangul fillers, combining grapheme
 * joiner), no variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF), no noncharacters, and ZWNJ or
 * ZWJ only between two letters or marks of a script that joins (Arabic, Persian, the Indic
 * scripts, …) or two emoji. Other text is dropped like an oversized one (so a message with CR/LF,
 * an ANSI escape, a right-to-left override or a variation selector is replaced by the category's
 * generic message). So is text that shows nothing (only white space, bidirectional marks or the
 * braille blank), but for a pointer (which may be `''`) and a string param.
 * - `retryAfter`: at most a day (86 400 seconds); a negative or non-finite delay is dropped (before
 *   it is rounded up, so `-0.5` is dropped, never 0), and so is a gRPC `RetryInfo` whose `Duration`
 *   is not valid (`nanos` out of range or of the other sign than `seconds`).
 * - `closeReason`: a close reason longer than 123 bytes is not a Faultline reason.
 * - `statusDetails`: a gRPC `grpc-status-details-bin` longer than 256 KiB is not decoded (the
 *   fault then comes from the status code): decoding costs time and memory in its size.
 * - `bodyTimeoutMs`: the default time `decodeFault` reads an HTTP body for (10 s); a body not read
 *   by then (a stalled or trickling server) is cancelled and decodes by status.
 */
export const DECODE_LIMITS = Object.freeze({
  body: 64 * 1024,
  code: 64,
  message: 1024,
  violations: 100,
  violationText: 256,
  params: 8,
  paramName: 32,
  paramString: 64,
  retryAfter: 86_400,
  closeReason: 123,
  statusDetails: 256 * 1024,
  bodyTimeoutMs: 10_000,
});

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * The one code rule of every protocol: `value` when it is UPPER_SNAKE of at most 64 characters
 * (so never `constructor`, `__proto__`, markup or a 100 KB string), else undefined.
 */
export function conformingCode(value: unknown): string | undefined {
  return typeof value === 'string' && CODE.test(value) ? value : undefined;
}

/** A message that may be shown: a line of at most 1024 characters that shows something, else undefined. */
export function boundedMessage(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= DECODE_LIMITS.message && isOneLine(value) && showsSomething(value)
    ? value
    : undefined;
}

/** An error status a server may claim: an integer from 400 to 599, else undefined. */
export function errorStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599 ? value : undefined;
}

/** A string that is a UUID (RFC 9562, any version), lower-cased, else undefined. */
export function uuidOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined;
}

/** Seconds to wait: a finite non-negative number, rounded up and capped at a day, else undefined. */
export function boundedRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  // `+ 0` turns a delay of -0 into 0.
  return Math.min(Math.ceil(value), DECODE_LIMITS.retryAfter) + 0;
}

/** `value[key]` when it is an own property of an object, else undefined (nothing inherited is read). */
export function own(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** True for a non-null object that is not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` when it is a line of at most 256 characters that shows something (a violation's detail,
 * a parameter or header name), else undefined. With `allowEmpty` (a JSON Pointer or field path,
 * where `''` names the whole document), any line of 0 to 256 characters.
 */
export function boundedText(value: unknown, allowEmpty = false): string | undefined {
  return typeof value === 'string' &&
    value.length <= DECODE_LIMITS.violationText &&
    isOneLine(value) &&
    (allowEmpty || showsSomething(value))
    ? value
    : undefined;
}

/**
 * JSON text parsed, or undefined when it is not JSON or longer than `DECODE_LIMITS.body`. One
 * leading byte order mark is ignored, as RFC 8259 allows (fetch's `text()` and `TextDecoder` drop
 * it already; a body read as strings, or text a caller decoded, still holds it).
 */
export function parseBoundedJson(text: string): unknown {
  if (text.length > DECODE_LIMITS.body) return undefined;
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
}
