/**
 * Correlation ids: one UUID v4 per request (or per error where there is no request), shown to
 * the client and written to the log record and the span, so a client's report resolves to the
 * full record. An incoming id is used only if it is a UUID; anything else is never reflected.
 */
import { randomUUID } from 'node:crypto';

/**
 * A canonical UUID (RFC 9562: versions 1-8, variant 10xx) in lower case, as a regular-expression
 * source, for the gateways that match incoming ids themselves (nginx `map`, HAProxy `-m reg`, both
 * case-sensitive: the edge accepts lower case only). {@link isUuid} applies it case-insensitively.
 */
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

const UUID = new RegExp(UUID_PATTERN, 'i');

/** True when `value` is an RFC 9562 UUID (versions 1-8, variant 10xx) in canonical form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && value.length === 36 && UUID.test(value);
}

/** A new correlation id (UUID v4 from the CSPRNG). */
export function newCorrelationId(): string {
  return randomUUID();
}

/** The outcome of looking at an incoming id. */
export interface ResolvedCorrelationId {
  /** The id to use: the incoming one when it was a UUID, else a new one. */
  readonly id: string;
  /** When an incoming value was refused: a log-safe rendering of it (escaped, truncated). */
  readonly rejected: string | undefined;
}

/**
 * Picks the correlation id for a request from an incoming header or metadata value (a string, or
 * an array of them as Node gives repeated headers). Only a single UUID is trusted, and it is
 * returned in lower case.
 */
export function resolveCorrelationId(incoming: unknown): ResolvedCorrelationId {
  if (incoming === undefined || incoming === null || incoming === '') return { id: randomUUID(), rejected: undefined };
  // Canonical form is lower case (RFC 9562 §4): an upper-case id is kept, normalised, so logs and answers match.
  if (isUuid(incoming)) return { id: incoming.toLowerCase(), rejected: undefined };
  return { id: randomUUID(), rejected: escapeForLog(incoming) };
}

/**
 * Renders any value as a short single-line ASCII string for logs: control characters, non-ASCII,
 * quotes and backslashes are escaped (so CR/LF, ANSI escapes and U+2028/2029 cannot forge log
 * lines), and the result is cut to `max` characters with an ellipsis marker.
 */
export function escapeForLog(value: unknown, max = 64): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (Array.isArray(value)) text = `[array of ${value.length}]`;
  else text = `[${typeof value}]`;
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(/[^\x20-\x7e]|["\\]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return text.length > max ? `${escaped}...(${text.length} chars)` : escaped;
}
