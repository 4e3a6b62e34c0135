/**
 * The one HTTP error answer, shared by every HTTP adapter (Fastify, Express): the fault as the
 * client may see it (403 concealed as 404 when asked), in the language `Accept-Language` picks,
 * rendered in the configured format, with the error headers.
 */
import type { Fault } from '../fault.js';
import { answerHeaders } from './http-headers.js';
import { formatFor, localeFor, type ResponderOptions, renderBody, shownFault } from './responder.js';

/** What an adapter writes: status, headers and the pre-serialized body. */
export interface HttpAnswer {
  /** The HTTP status. */
  readonly status: number;
  /**
   * Every header of the answer but `X-Request-ID` (content type, nosniff, no-store, and per
   * category); often an object shared by many answers (see `answerHeaders`): never mutate it.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The `X-Request-ID` value: the fault's correlation id. */
  readonly requestId: string;
  /** The body, already serialized. */
  readonly body: string;
  /** The fault as shown (after concealment). */
  readonly fault: Fault;
}

/**
 * The answer to `fault` for a request with `requestHeaders`. `traceId` is added to the body when
 * `exposeTraceId` allows it; `allow` is the `Allow` header of a 405. With `format: 'negotiate'`
 * the format comes from `Accept` and the answer says `Vary: Accept`. Throws only when rendering
 * itself fails (the adapter then sends the fallback body).
 */
export function httpAnswer(
  fault: Fault,
  options: ResponderOptions,
  traceId: string | undefined,
  requestHeaders: { readonly 'accept-language'?: unknown; readonly accept?: unknown },
  allow?: string,
): HttpAnswer {
  const shown = shownFault(fault, options);
  const locale = localeFor(shown, requestHeaders['accept-language']);
  const format = formatFor(options, requestHeaders.accept);
  const body = renderBody(shown, format, options.exposeTraceId ? traceId : undefined, locale);
  const headers = answerHeaders(shown, format, options, allow, options.format === 'negotiate', locale);
  return { status: shown.status, headers, requestId: shown.id, body, fault: shown };
}
