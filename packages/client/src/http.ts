/**
 * Decoding an HTTP answer (a fetch `Response`) into a {@link RemoteFault}: RFC 9457 problem JSON
 * or the `{"error":{…}}` envelope from a Faultline server; anything else (proxy HTML, an empty
 * 502, a truncated body) yields a fault derived from the status. Never throws.
 */
import {
  type CatalogLike,
  categoryOfCode,
  categoryOfHttpStatus,
  paramsOf,
  type RemoteFault,
  type RemoteFieldViolation,
  remoteFault,
  retryAfterSeconds,
  uuidOrUndefined,
} from './remote-fault.js';

/** The part of a fetch `Response` the decoder reads. */
export interface ResponseLike {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers (`Retry-After` and `X-Request-ID` are read). */
  readonly headers: {
    /** One header's value, or null. */
    get(name: string): string | null;
  };
  /** The body as text (read once). */
  text(): Promise<string>;
}

function violations(value: unknown): RemoteFieldViolation[] {
  if (!Array.isArray(value)) return [];
  return value
    .slice(0, 100)
    .filter(
      (v): v is { pointer: string; detail: string } => typeof v?.pointer === 'string' && typeof v?.detail === 'string',
    )
    .map((v) => ({ pointer: v.pointer, detail: v.detail }));
}

/** Decodes a body already read, with its status and headers. */
export function decodeHttpBody<Code extends string = never>(
  status: number,
  headers: ResponseLike['headers'],
  text: string,
  catalog?: CatalogLike<Code>,
): RemoteFault<Code> {
  const fallback = categoryOfHttpStatus(status);
  const retryAfter = retryAfterSeconds(headers.get('retry-after'));
  const headerId = uuidOrUndefined(headers.get('x-request-id'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = (parsed as { error?: unknown })?.error !== undefined ? (parsed as { error: unknown }).error : parsed;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const code = typeof fields?.code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(fields.code) ? fields.code : undefined;
  if (fields === undefined || code === undefined) {
    return remoteFault({
      protocol: 'http',
      category: fallback,
      status,
      requestId: headerId,
      retryAfter,
      conforming: false,
    });
  }
  const message =
    typeof fields.detail === 'string' ? fields.detail : typeof fields.message === 'string' ? fields.message : undefined;
  return remoteFault({
    protocol: 'http',
    category: categoryOfCode(code, fallback, catalog),
    code,
    status,
    message,
    requestId: uuidOrUndefined(fields.request_id) ?? headerId,
    retryAfter,
    fieldViolations: violations(fields.errors),
    params: paramsOf(fields.params),
    conforming: true,
  });
}

/**
 * Decodes a failed `Response` into a {@link RemoteFault}. Pass your catalog to type `code` as
 * its union of codes. Never throws: an unreadable body decodes by status.
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
  let text = '';
  try {
    text = await response.text();
  } catch {
    // a body that cannot be read (aborted, lossy link): decode by status
  }
  return decodeHttpBody(response.status, response.headers, text, catalog);
}
