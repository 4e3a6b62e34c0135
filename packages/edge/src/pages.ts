/**
 * The answers a gateway gives on its own (upstream down, timeout, body too large…), rendered by
 * core exactly as the application renders the same category: status, body, content type and the
 * security headers. The correlation id is left as a placeholder for the gateway to fill.
 */

import type { AnswerFormat } from '@faultline/core/adapter';
import {
  type BodyFormat,
  type Category,
  CONTENT_TYPES,
  faultOf,
  problemHeaders,
  renderBody,
  TAXONOMY,
} from '@faultline/core/adapter';

/** The failures a gateway produces itself. */
export type GatewayFailure =
  | 'malformed'
  | 'not_found'
  | 'method_not_allowed'
  | 'precondition_failed'
  | 'request_timeout'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'header_fields_too_large'
  | 'rate_limited'
  | 'internal'
  | 'not_implemented'
  | 'bad_gateway'
  | 'unavailable'
  | 'timeout';

/** The taxonomy category each gateway failure is answered as (exhaustive). */
export const GATEWAY_FAILURES: Readonly<Record<GatewayFailure, Category>> = {
  malformed: 'validation',
  not_found: 'not_found',
  method_not_allowed: 'method_not_allowed',
  precondition_failed: 'precondition_failed',
  request_timeout: 'request_timeout',
  payload_too_large: 'payload_too_large',
  uri_too_long: 'uri_too_long',
  header_fields_too_large: 'header_fields_too_large',
  rate_limited: 'rate_limited',
  internal: 'internal',
  not_implemented: 'not_implemented',
  bad_gateway: 'bad_gateway',
  unavailable: 'unavailable',
  timeout: 'timeout',
};

/** Stands for the request id in a rendered page (a valid UUID, so core renders it like a real one). */
export const ID_PLACEHOLDER = '00000000-0000-4000-8000-00000000f17e';

/** One gateway page: what to send, with {@link ID_PLACEHOLDER} where the request id goes. */
export interface GatewayPage {
  readonly failure: GatewayFailure;
  readonly status: number;
  /** Response headers (lower-case names) except `x-request-id`, which the gateway sets. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, containing {@link ID_PLACEHOLDER} once. */
  readonly body: string;
  /** The body before the id. */
  readonly head: string;
  /** The body after the id. */
  readonly tail: string;
}

/** Options of {@link gatewayPages}. */
export interface GatewayPageOptions {
  /**
   * The application's `format` (default `problem`, RFC 9457; also `envelope`, `jsonapi`, or
   * `negotiate`, whose pages are in `defaultFormat`: a gateway page does not negotiate).
   */
  readonly format?: AnswerFormat;
  /** With `negotiate`, the application's `defaultFormat` (default `problem`). */
  readonly defaultFormat?: BodyFormat;
  /** `Retry-After` seconds sent with 429 (default 1). */
  readonly rateLimitRetryAfter?: number;
  /** `Retry-After` seconds sent with 503 (default 5). */
  readonly unavailableRetryAfter?: number;
  /**
   * Pass a backend's 4xx that is not JSON (HTML, text, XML, no `Content-Type`) on as it came
   * (default false: it is replaced by the gateway's page for the same status).
   */
  readonly passForeign4xx?: boolean;
}

/** The format of the gateway's own pages. */
export function pageFormat(options: Pick<GatewayPageOptions, 'format' | 'defaultFormat'>): BodyFormat {
  const format = options.format ?? 'problem';
  return format === 'negotiate' ? (options.defaultFormat ?? 'problem') : format;
}

/**
 * The content types of the application's own error answers, which the gateway passes through
 * (with the request's id): one, or the three a negotiating application may send.
 */
export function faultlineContentTypes(options: Pick<GatewayPageOptions, 'format'>): string[] {
  const format = options.format ?? 'problem';
  const formats: BodyFormat[] = format === 'negotiate' ? ['problem', 'envelope', 'jsonapi'] : [format];
  return formats.map((f) => CONTENT_TYPES[f]);
}

/**
 * The `Allow` header of the gateway's own 405 (nginx refuses TRACE itself): the methods the
 * gateway passes on to the application (RFC 9110 section 15.5.6 asks a 405 to list them).
 */
export const GATEWAY_ALLOW = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** Renders every gateway page. */
export function gatewayPages(options: GatewayPageOptions = {}): readonly GatewayPage[] {
  const format = pageFormat(options);
  return (Object.keys(GATEWAY_FAILURES) as GatewayFailure[]).map((failure) => {
    const fault = faultOf(GATEWAY_FAILURES[failure], { requestId: ID_PLACEHOLDER, requestIdTrusted: true });
    const { 'x-request-id': _id, ...headers } = problemHeaders(fault, format, {
      ...(options.rateLimitRetryAfter === undefined ? {} : { rateLimitRetryAfter: options.rateLimitRetryAfter }),
      ...(options.unavailableRetryAfter === undefined ? {} : { unavailableRetryAfter: options.unavailableRetryAfter }),
    });
    const body = renderBody(fault, format, undefined);
    const [head = '', tail = ''] = body.split(ID_PLACEHOLDER);
    const pageHeaders = failure === 'method_not_allowed' ? { ...headers, allow: GATEWAY_ALLOW } : headers;
    return { failure, status: TAXONOMY[fault.category].http, headers: pageHeaders, body, head, tail };
  });
}
