/**
 * Headers of an HTTP error response, shared by every adapter that answers over HTTP (Fastify
 * routes, 404/405, framework errors, malformed HTTP, shutdown, WebSocket upgrade rejection). Only
 * an allowlist of headers is ever taken from an error, and only when its category makes the
 * header meaningful.
 */
import type { Fault } from '../fault.js';
import { safeGet } from '../safe-access.js';
import type { Category } from '../taxonomy.js';

/**
 * Wire format of error bodies: RFC 9457 problem JSON, the `{"error":{…}}` envelope, or a JSON:API
 * 1.1 error document.
 */
export type BodyFormat = 'problem' | 'envelope' | 'jsonapi';

/** Header options shared by every path. */
export interface HeaderOptions {
  /** `WWW-Authenticate` sent with 401 when the error carries none (default `Bearer`). */
  readonly wwwAuthenticate?: string;
  /** `Retry-After` seconds for 429 when the fault has none (default 1). */
  readonly rateLimitRetryAfter?: number;
  /** `Retry-After` seconds for 503 when the fault has none (default 5). */
  readonly unavailableRetryAfter?: number;
}

/**
 * Content type of each body format. The charset parameter is what Fastify appends to every JSON
 * type it sends; it is written on every path (raw sockets included) so all answers are identical.
 * JSON:API is the exception: its servers must send the media type without parameters (JSON:API
 * 1.1, "Server Responsibilities"), so the adapters keep Fastify from appending one.
 */
export const CONTENT_TYPES: Readonly<Record<BodyFormat, string>> = {
  problem: 'application/problem+json; charset=utf-8',
  envelope: 'application/json; charset=utf-8',
  jsonapi: 'application/vnd.api+json',
};

/** An auth scheme token at the start of a challenge (RFC 9110 §11.1). */
const AUTH_SCHEME = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,31}(?=[\s,]|$)/;
/** RFC 6750's error codes: a fixed vocabulary that tells the client what to fix. */
const BEARER_ERROR = /(?:^|[\s,])error\s*=\s*"?(invalid_request|invalid_token|insufficient_scope)"?(?=[\s,]|$)/;
const METHOD_LIST = /^[A-Z]{3,10}(?:, ?[A-Z]{3,10}){0,15}$/;

function allowlistedFromError(thrown: unknown, name: string): string | undefined {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  const headers = safeGet(thrown, 'headers');
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = safeGet(headers, name) ?? safeGet(headers, name.toLowerCase());
  return typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, 300) : undefined;
}

/** Validates a Retry-After value: whole seconds (1..86400). */
function retryAfterValue(value: unknown): string | undefined {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 86_400 ? String(n) : undefined;
}

/**
 * The `WWW-Authenticate` of a 401. A challenge carried by the thrown value is its text, so only its
 * scheme and an RFC 6750 error code reach the client: its realm, scope and description may name
 * internal hosts or hold tokens. The scheme of the configured challenge (`configured`, the
 * application's own text) brings that challenge whole.
 */
function challenge(fromError: string | undefined, configured: string): string {
  if (fromError === undefined) return configured;
  const scheme = AUTH_SCHEME.exec(fromError)?.[0];
  if (scheme === undefined) return configured;
  const sameScheme = AUTH_SCHEME.exec(configured)?.[0]?.toLowerCase() === scheme.toLowerCase();
  const base = sameScheme ? configured : scheme;
  const code = BEARER_ERROR.exec(fromError.slice(scheme.length))?.[1];
  if (code === undefined) return base;
  return `${base}${/\s/.test(base) ? ', ' : ' '}error="${code}"`;
}

/** Writes the header a category's answers carry (`headers` is the answer's own object). */
type CategoryHeader = (
  headers: Record<string, string>,
  fault: Fault,
  options: HeaderOptions,
  allow: string | undefined,
) => void;

/** `Retry-After`: the fault's own, else the error's allowlisted one, else `fallback` seconds. */
function retryAfter(headers: Record<string, string>, fault: Fault, fallback: number): void {
  headers['retry-after'] =
    retryAfterValue(fault.retryAfter) ??
    retryAfterValue(allowlistedFromError(fault.internal.thrown, 'Retry-After')) ??
    String(fallback);
}

/**
 * The categories whose answers carry a header of their own, and how it is written: the one list
 * both {@link problemHeaders} and {@link answerHeaders} (which shares one object for every other
 * category) read.
 */
const CATEGORY_HEADERS: Readonly<Partial<Record<Category, CategoryHeader>>> = {
  unauthenticated: (headers, fault, options) => {
    headers['www-authenticate'] = challenge(
      allowlistedFromError(fault.internal.thrown, 'WWW-Authenticate'),
      options.wwwAuthenticate ?? 'Bearer',
    );
  },
  method_not_allowed: (headers, fault, _options, allow) => {
    const value = allow ?? allowlistedFromError(fault.internal.thrown, 'Allow');
    if (value !== undefined && METHOD_LIST.test(value)) headers.allow = value;
  },
  rate_limited: (headers, fault, options) => retryAfter(headers, fault, options.rateLimitRetryAfter ?? 1),
  unavailable: (headers, fault, options) => retryAfter(headers, fault, options.unavailableRetryAfter ?? 5),
};

/** A new object with the headers every error answer of `format` carries. */
function baseHeaders(format: BodyFormat): Record<string, string> {
  return {
    'content-type': CONTENT_TYPES[format],
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}

/**
 * The headers for `fault`'s response: content type, `X-Content-Type-Options: nosniff`,
 * `Cache-Control: no-store`, `X-Request-ID`, plus `WWW-Authenticate` (401), `Allow` (405) and
 * `Retry-After` (429/503).
 */
export function problemHeaders(
  fault: Fault,
  format: BodyFormat,
  options: HeaderOptions,
  allow?: string,
): Record<string, string> {
  const headers = baseHeaders(format);
  headers['x-request-id'] = fault.id;
  CATEGORY_HEADERS[fault.category]?.(headers, fault, options, allow);
  return headers;
}

function sharedHeaders(format: BodyFormat, vary: boolean): Readonly<Record<string, string>> {
  const headers = baseHeaders(format);
  if (vary) headers.vary = 'Accept';
  return Object.freeze(headers);
}

/** The answers' headers that no fault changes, per format, without and with `Vary: Accept`. */
const SHARED_HEADERS: Readonly<
  Record<BodyFormat, readonly [Readonly<Record<string, string>>, Readonly<Record<string, string>>]>
> = {
  problem: [sharedHeaders('problem', false), sharedHeaders('problem', true)],
  envelope: [sharedHeaders('envelope', false), sharedHeaders('envelope', true)],
  jsonapi: [sharedHeaders('jsonapi', false), sharedHeaders('jsonapi', true)],
};

/**
 * The headers of `fault`'s response except `X-Request-ID` (the adapter writes the id itself):
 * {@link problemHeaders}'s, plus `Vary: Accept` when `vary` and `Content-Language` when `locale` is
 * given. When nothing in them depends on the fault (most answers) the result is a shared frozen
 * object, so an answer allocates no headers object: never mutate it.
 */
export function answerHeaders(
  fault: Fault,
  format: BodyFormat,
  options: HeaderOptions,
  allow: string | undefined,
  vary: boolean,
  locale: string | undefined,
): Readonly<Record<string, string>> {
  const categoryHeader = CATEGORY_HEADERS[fault.category];
  if (locale === undefined && categoryHeader === undefined) return SHARED_HEADERS[format][vary ? 1 : 0];
  const headers = baseHeaders(format);
  categoryHeader?.(headers, fault, options, allow);
  if (vary) headers.vary = 'Accept';
  if (locale !== undefined) headers['content-language'] = locale;
  return headers;
}

/**
 * Headers that describe a success body or its framing; removed from a reply before an error is
 * sent. A `Transfer-Encoding` the route set would frame the answer twice (beside its
 * `Content-Length`), and a `Trailer` makes Node refuse to end a response that is not chunked.
 */
export const STALE_REPLY_HEADERS: readonly string[] = [
  'content-encoding',
  'transfer-encoding',
  'trailer',
  'digest',
  'content-digest',
  'repr-digest',
  'content-disposition',
  'content-language',
  'content-location',
  'content-range',
  'content-md5',
  'etag',
  'last-modified',
  'location',
  'accept-ranges',
  'expires',
  'age',
];

/** Connection-specific headers, forbidden in HTTP/2 (RFC 9113 8.2.2). */
export const CONNECTION_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
];

/** A socket that can be answered directly (Node `net.Socket`, an upgrade's `Duplex`). */
export interface RawHttpSocket {
  /** False once the socket can no longer be written. */
  readonly writable: boolean;
  /** True once the socket was destroyed. */
  readonly destroyed: boolean;
  /** Writes the whole response and half-closes the socket. */
  end(data: string): void;
  /** Closes the socket at once (when even the answer cannot be written). */
  destroy(): void;
}

/**
 * Answers a raw HTTP/1.1 socket with `body` and the error headers of `fault` (plus `extraHeaders`,
 * e.g. `Vary`), then closes it; for the paths with no response object (malformed requests,
 * refused WebSocket upgrades). Never throws.
 */
export function writeRawHttpFault(
  socket: RawHttpSocket,
  fault: Fault,
  body: string,
  format: BodyFormat,
  options: HeaderOptions,
  extraHeaders?: Readonly<Record<string, string>>,
): void {
  if (socket.destroyed || !socket.writable) return;
  try {
    const headers = {
      ...problemHeaders(fault, format, options),
      ...extraHeaders,
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    let head = `HTTP/1.1 ${fault.status} ${fault.title}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    socket.end(`${head}\r\n${body}`);
  } catch {
    socket.destroy();
  }
}
