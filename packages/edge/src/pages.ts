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
  capture,
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

/**
 * Response headers that name the backend's product, its version or its internals, removed by both
 * gateways from every backend answer (success and error alike), besides `Server`, `X-Powered-By`
 * and `Via`: ASP.NET's version headers and IIS's `X-SourceFiles` (a server path), Rails'
 * `X-Runtime`, a CMS's `X-Generator`, and debug headers such as Symfony's `X-Debug-Token-Link` (a
 * URL of the profiler). Lower case.
 */
export const LEAKY_RESPONSE_HEADERS: readonly string[] = [
  'x-aspnet-version',
  'x-aspnetmvc-version',
  'x-sourcefiles',
  'x-runtime',
  'x-generator',
];

/** Prefixes of response headers removed the same way (`X-Debug-Token`, `X-Debug-Exception`, …). */
export const LEAKY_RESPONSE_PREFIXES: readonly string[] = ['x-debug-'];

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

/**
 * The category of a backend's 4xx status, as core classifies a foreign 4xx (an error carrying
 * `status`): 401 unauthenticated, 410 not_found, 428 precondition_failed, 499 cancelled, …, and
 * `validation` for a status it maps to nothing. The gateway and the application then agree.
 */
export function categoryOfForeign4xx(status: number): Category {
  return capture({ status }, { requestId: ID_PLACEHOLDER, requestIdTrusted: true }).category;
}

/** Stands for the status in a {@link Foreign4xxTemplate} (three characters, as a status). */
export const STATUS_PLACEHOLDER = '@S@';

/**
 * A category's page for a backend 4xx that is not JSON, with {@link STATUS_PLACEHOLDER} where the
 * status goes (in `head` or `tail`: JSON:API writes it after the id) and {@link ID_PLACEHOLDER}
 * split out as in {@link GatewayPage}.
 */
export interface Foreign4xxTemplate {
  readonly category: Category;
  readonly headers: Readonly<Record<string, string>>;
  readonly head: string;
  readonly tail: string;
}

/** A page for one backend 4xx status (the status kept, the category's code and message). */
export interface Foreign4xxPage extends Foreign4xxTemplate {
  readonly status: number;
  readonly body: string;
}

/** Every 4xx status, 400-499. */
export const CLIENT_STATUSES: readonly number[] = Array.from({ length: 100 }, (_, i) => 400 + i);

let foreignCategories: ReadonlyMap<number, Category> | undefined;

/**
 * {@link categoryOfForeign4xx} of every status in {@link CLIENT_STATUSES}, classified once (each
 * is a `capture`), for the templates, the pages and the nginx script of every rendering.
 */
export function foreign4xxCategories(): ReadonlyMap<number, Category> {
  foreignCategories ??= new Map(CLIENT_STATUSES.map((status) => [status, categoryOfForeign4xx(status)]));
  return foreignCategories;
}

/**
 * The templates of the pages replacing a backend 4xx that is not JSON, by category: the body the
 * gateway's page (or the application) sends for that category, with the status member set to the
 * backend's status (a 410 stays a 410 with `NOT_FOUND`, a 418 a 418 with `VALIDATION_FAILED`).
 * Headers as the gateway's pages: a 405's `Allow` is the gateway's list, a 401's
 * `WWW-Authenticate` core's default (`Bearer`), a 429's `Retry-After` the configured one; the
 * gateways keep the backend's own when it is well-formed.
 */
export function foreign4xxTemplates(options: GatewayPageOptions = {}): ReadonlyMap<Category, Foreign4xxTemplate> {
  const format = pageFormat(options);
  const categories = new Set(foreign4xxCategories().values());
  return new Map(
    [...categories].map((category) => {
      const fault = faultOf(category, { requestId: ID_PLACEHOLDER, requestIdTrusted: true });
      const { 'x-request-id': _id, ...headers } = problemHeaders(fault, format, {
        ...(options.rateLimitRetryAfter === undefined ? {} : { rateLimitRetryAfter: options.rateLimitRetryAfter }),
      });
      const parsed = JSON.parse(renderBody(fault, format, undefined)) as Record<string, unknown>;
      // The status member of each format: problem's and the envelope's a number, JSON:API's a string.
      const holder = (
        format === 'problem'
          ? parsed
          : format === 'envelope'
            ? parsed.error
            : (parsed.errors as Record<string, unknown>[])[0]
      ) as Record<string, unknown>;
      if (holder.status !== (format === 'jsonapi' ? String(TAXONOMY[category].http) : TAXONOMY[category].http))
        throw new Error(`faultline-edge: no status member in the ${format} body`);
      holder.status = STATUS_PLACEHOLDER;
      let body = JSON.stringify(parsed);
      if (format !== 'jsonapi') body = body.replace(`"${STATUS_PLACEHOLDER}"`, STATUS_PLACEHOLDER);
      const [head = '', tail = ''] = body.split(ID_PLACEHOLDER);
      const pageHeaders = category === 'method_not_allowed' ? { ...headers, allow: GATEWAY_ALLOW } : headers;
      return [category, { category, headers: pageHeaders, head, tail }];
    }),
  );
}

/** The page replacing a backend's `status` (400-499) that is not JSON. */
export function foreign4xxPage(templates: ReadonlyMap<Category, Foreign4xxTemplate>, status: number): Foreign4xxPage {
  const template = templates.get(foreign4xxCategories().get(status) as Category) as Foreign4xxTemplate;
  const head = template.head.replace(STATUS_PLACEHOLDER, String(status));
  const tail = template.tail.replace(STATUS_PLACEHOLDER, String(status));
  return { ...template, status, head, tail, body: `${head}${ID_PLACEHOLDER}${tail}` };
}

/**
 * A JSON media type as a backend's `Content-Type` (a regular-expression source, matched without
 * regard to case): `application/json` or `application/<anything>+json` (`problem+json`,
 * `vnd.api+json`), parameters allowed. A backend 4xx whose type is anything else is replaced.
 */
export const JSON_MEDIA_TYPE = '^[ \\t]*application/([a-z0-9.!#$&^_-]+[+])?json[ \\t]*(;|$)';

/**
 * Well-formed values of the headers a replaced answer keeps from the backend (as core keeps them
 * from a thrown error): a 401's challenge scheme only (its realm and parameters may name internal
 * hosts or products), a 405's method list, a 429's or 503's delay in seconds (1 to 86400). Regular-expression sources
 * (the challenge's scheme is group 1).
 */
export const KEPT_HEADERS = {
  challengeScheme: '^([A-Za-z][A-Za-z0-9._~+-]{0,31})([ \\t,]|$)',
  allow: '^[A-Z]{3,10}(, ?[A-Z]{3,10}){0,15}$',
  retryAfter: '^[1-9][0-9]{0,4}$',
} as const;
