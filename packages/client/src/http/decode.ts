/**
 * Decoding an HTTP answer (a fetch `Response`) into a {@link RemoteFault}: RFC 9457 problem JSON,
 * the `{"error":{…}}` envelope or a JSON:API error document from a Faultline server (the fault's
 * `format` says which); anything else (proxy HTML, an empty 502, a truncated or oversized body)
 * yields a non-conforming fault derived from the status. Never throws.
 */
import { faultFromReading, readBody } from '../formats/reading.js';
import { type CatalogLike, categoryOfHttpStatus, type RemoteFault } from '../remote-fault.js';
import { parseBoundedJson, uuidOrUndefined } from '../untrusted.js';
import { type BodyStreamLike, boundedBodyText } from './body-text.js';
import { retryAfterSeconds } from './retry-after.js';

/** The part of a fetch `Response` the decoder reads. */
export interface ResponseLike {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers (`Retry-After` and `X-Request-ID` are read). */
  readonly headers: {
    /** One header's value, or null. */
    get(name: string): string | null;
  };
  /** The body stream, when there is one: read up to the bound and then cancelled (fetch's `Response#body`). */
  readonly body?: BodyStreamLike | null | undefined;
  /** The body as text (read once; used when there is no `body` stream). */
  text(): Promise<string>;
}

/** A header's value, or null when the headers cannot be read. */
function header(headers: ResponseLike['headers'], name: string): string | null {
  try {
    const value = headers.get(name);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/**
 * Decodes a body already read (`undefined` for one that could not be), with its status and
 * headers. A body longer than `DECODE_LIMITS.body` is not parsed. Never throws.
 */
export function decodeHttpBody<Code extends string = never>(
  status: number,
  headers: ResponseLike['headers'],
  text: string | undefined,
  catalog?: CatalogLike<Code>,
): RemoteFault<Code> {
  const reading = typeof text === 'string' ? readBody(parseBoundedJson(text)) : undefined;
  return faultFromReading(
    reading,
    {
      protocol: 'http',
      fallback: categoryOfHttpStatus(status),
      status,
      requestId: uuidOrUndefined(header(headers, 'x-request-id')),
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
 * Never throws: an unreadable or oversized body decodes by status.
 *
 * @example
 * const response = await fetch('/orders/42');
 * if (!response.ok) {
 *   const fault = await decodeFault(response, errors);
 *   if (fault.code === 'ORDER_NOT_FOUND') showMissing(fault.requestId);
 * }
 */
export async function decodeFault<Code extends string = never>(
  response: ResponseLike,
  catalog?: CatalogLike<Code>,
): Promise<RemoteFault<Code>> {
  let status = 500;
  let headers: ResponseLike['headers'] = { get: () => null };
  try {
    status = Number.isInteger(response.status) ? response.status : 500;
    headers = response.headers ?? headers;
  } catch {
    // a response whose status or headers cannot be read: an internal fault
  }
  return decodeHttpBody(status, headers, await boundedBodyText(response), catalog);
}
