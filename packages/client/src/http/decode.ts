/**
 * Decoding an HTTP answer (a fetch `Response`) into a {@link RemoteFault}: RFC 9457 problem JSON,
 * the `{"error":{…}}` envelope or a JSON:API error document from a Faultline server (the fault's
 * `format` says which); anything else (proxy HTML, an empty 502, a truncated or oversized body)
 * yields a non-conforming fault derived from the status. An answer whose status is not an error
 * status (an integer from 400 to 599) is not a fault the server described, and the decoded fault
 * never takes such a status. Never throws.
 */
import { faultFromReading, readBody } from '../formats/reading.js';
import { type CatalogLike, categoryOfHttpStatus, type RemoteFault } from '../remote-fault.js';
import { DECODE_LIMITS, errorStatus, isRecord, own, parseBoundedJson, uuidOrUndefined } from '../untrusted.js';
import { type BodyStreamLike, discardBody } from './body-source.js';
import { boundedBodyText } from './body-text.js';
import { deadline } from './deadline.js';
import { trimOws } from './field-value.js';
import { retryAfterSeconds } from './retry-after.js';

/** The part of a fetch `Response` the decoder reads. */
export interface ResponseLike {
  /** The HTTP status: only an error status (an integer from 400 to 599) is decoded. */
  readonly status: number;
  /** The response headers (`Retry-After` and `X-Request-ID` are read). */
  readonly headers: {
    /** One header's value, or null. */
    get(name: string): string | null;
  };
  /**
   * The body stream, when there is one: read up to the bound and then cancelled (fetch's
   * `Response#body`, or a Node.js `Readable` as node-fetch gives, which is then destroyed). A
   * `body` of any other kind is not read.
   */
  readonly body?: BodyStreamLike | AsyncIterable<unknown> | null | undefined;
  /** The body as text (read once; used only when the response has no `body` member). */
  text(): Promise<string>;
}

/**
 * A Node.js `IncomingMessage` (`node:http`), which {@link decodeFault} also takes as the response
 * itself: its `statusCode`, its `headers` and the message as the body.
 */
export interface IncomingMessageLike extends AsyncIterable<unknown> {
  /** The HTTP status. */
  readonly statusCode?: number | undefined;
  /** The headers, by lower-case name. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** How long {@link decodeFault} may read a body, and when to stop reading it. */
export interface DecodeFaultOptions {
  /**
   * The longest time to read the body, in milliseconds, from the call (default
   * `DECODE_LIMITS.bodyTimeoutMs`, 10 000; `Infinity` for none, the size bound and `signal` still
   * apply). Any other value than a non-negative number or `Infinity` means the default. A body not
   * read in time is cancelled and the fault decodes by status.
   */
  readonly timeoutMs?: number | undefined;
  /** Stops reading the body when it aborts: the body is cancelled and the fault decodes by status (no rejection). */
  readonly signal?: AbortSignal | undefined;
}

/** The time bound of `options`: a non-negative number or `Infinity`, else the default. */
function timeoutOf(options: DecodeFaultOptions | undefined): number {
  try {
    const ms = options?.timeoutMs;
    return typeof ms === 'number' && ms >= 0 ? ms : DECODE_LIMITS.bodyTimeoutMs;
  } catch {
    return DECODE_LIMITS.bodyTimeoutMs;
  }
}

/** The caller's signal, or undefined when `options` cannot be read. */
function signalOf(options: DecodeFaultOptions | undefined): AbortSignal | undefined {
  try {
    const signal = options?.signal;
    return typeof signal === 'object' && signal !== null ? signal : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A header's value without the white space around it (RFC 9110 5.5: it is not part of the value,
 * and undici's fetch keeps what a server sends after the value, where `node:http` drops it), or
 * null when the headers cannot be read.
 */
function header(headers: ResponseLike['headers'], name: string): string | null {
  try {
    const value = headers.get(name);
    return typeof value === 'string' ? trimOws(value) : null;
  } catch {
    return null;
  }
}

/**
 * A Node.js `IncomingMessage` (what `node:http` hands over, and the raw response of clients built on
 * it) passed as the response itself, or a `{ statusCode, headers, body }` answer (undici's
 * `request()`), seen as a {@link ResponseLike}: `statusCode` is the status, the message (or its
 * `body`) is the body, read with the bounds of any `Readable` and then destroyed, and a header sent
 * more than once is no value (as fetch's joined value is dropped); else undefined.
 */
function incomingResponse(response: unknown): ResponseLike | undefined {
  if (typeof response !== 'object' || response === null || 'status' in response) return undefined;
  const message = response as { statusCode?: unknown; headers?: unknown; headersDistinct?: unknown; body?: unknown };
  const statusCode = message.statusCode;
  const raw = message.headers;
  if (typeof statusCode !== 'number' || !isRecord(raw) || typeof raw.get === 'function') return undefined;
  const body = 'body' in message ? message.body : response;
  if (typeof (body as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] !== 'function')
    return undefined;
  const distinct = message.headersDistinct;
  /** The one value of a header, or null when it is absent or was sent more than once. */
  const one = (values: unknown): string | null =>
    typeof values === 'string'
      ? values
      : Array.isArray(values) && values.length === 1 && typeof values[0] === 'string'
        ? values[0]
        : null;
  return {
    status: statusCode,
    headers: {
      get(name) {
        const key = name.toLowerCase();
        const values = own(distinct, key);
        return one(values !== undefined ? values : own(raw, key));
      },
    },
    body: body as AsyncIterable<unknown>,
    // Never called: the response has a body.
    text: () => Promise.resolve(''),
  };
}

/**
 * Decodes a body already read (`undefined` for one that could not be), with its status and
 * headers. A body longer than `DECODE_LIMITS.body` is not parsed. A `status` that is not an error
 * status (an integer from 400 to 599: a 1xx, 2xx or 3xx answer, or a number no HTTP server may
 * send) is not a fault the server described: the body is ignored and the fault is `internal`
 * (status 500, `conforming: false`), keeping only the `X-Request-ID`. Never throws.
 */
export function decodeHttpBody<Code extends string = never>(
  status: number,
  headers: ResponseLike['headers'],
  text: string | undefined,
  catalog?: CatalogLike<Code>,
): RemoteFault<Code> {
  const requestId = uuidOrUndefined(header(headers, 'x-request-id'));
  const error = errorStatus(status);
  if (error === undefined) return faultFromReading(undefined, { protocol: 'http', fallback: 'internal', requestId });
  const reading = typeof text === 'string' ? readBody(parseBoundedJson(text)) : undefined;
  return faultFromReading(
    reading,
    {
      protocol: 'http',
      fallback: categoryOfHttpStatus(error),
      status: error,
      requestId,
      retryAfter: retryAfterSeconds(header(headers, 'retry-after')),
    },
    catalog,
  );
}

/**
 * Decodes a failed `Response` into a {@link RemoteFault}: problem JSON, the envelope and JSON:API
 * error documents are told apart by their shape, whatever the content type. Pass your catalog to
 * type `code` as its union of codes and hold `params` to the types it declares. Every server is
 * untrusted: codes, messages, ids, violations and params follow the bounds of `DECODE_LIMITS`.
 * Never throws: an unreadable or oversized body decodes by status (`conforming: false`), and so
 * does a body not read within `options.timeoutMs` (10 s by default) or before `options.signal`
 * aborts; the body stream is then cancelled, which releases the connection. A response whose
 * status is not an error status (an integer from 400 to 599; `response.ok` was true, a redirect,
 * or a number no HTTP server may send) is not read: its body is cancelled and the fault is
 * `internal` (status 500, `conforming: false`), whatever the body claims. A Node.js
 * `IncomingMessage` may be passed as the response itself: it is read and destroyed the same way.
 *
 * @example
 * const response = await fetch('/orders/42');
 * if (!response.ok) {
 *   const fault = await decodeFault(response, errors);
 *   if (fault.code === 'ORDER_NOT_FOUND') showMissing(fault.requestId);
 * }
 * // At most 2 s for the body, and no longer than the page stays open:
 * const fault = await decodeFault(response, errors, { timeoutMs: 2000, signal: controller.signal });
 */
export async function decodeFault<Code extends string = never>(
  response: ResponseLike | IncomingMessageLike,
  catalog?: CatalogLike<Code>,
  options?: DecodeFaultOptions,
): Promise<RemoteFault<Code>> {
  let status = Number.NaN;
  let headers: ResponseLike['headers'] = { get: () => null };
  let seen = response as ResponseLike;
  try {
    seen = incomingResponse(response) ?? seen;
    status = seen.status;
    headers = seen.headers ?? headers;
  } catch {
    // a response whose status or headers cannot be read: an internal fault
  }
  if (errorStatus(status) === undefined) {
    // Not a fault the server described: nothing of the body is read.
    discardBody(seen);
    return decodeHttpBody(status, headers, undefined, catalog);
  }
  const end = deadline(timeoutOf(options), signalOf(options));
  return decodeHttpBody(status, headers, await boundedBodyText(seen, end), catalog);
}
