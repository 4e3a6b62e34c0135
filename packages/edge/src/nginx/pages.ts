/**
 * The nginx side of the gateway pages: the directives answering each page, reachable as a named
 * location (keeps the request's method and URI for the access log) and as an internal URI (for
 * statuses nginx raises before the URI is parsed).
 */
import type { GatewayFailure, GatewayPage } from '../pages.js';

/**
 * Every status nginx can answer on its own (including its internal 494-497) mapped to the gateway
 * failure answering it. Those without a taxonomy category are answered as the nearest one: 411
 * (length required), 416 (range not satisfiable) and 505 (an HTTP version other than 1.x on the
 * request line) as 400 VALIDATION_FAILED, 507 (insufficient storage, WebDAV) as 500 INTERNAL.
 */
export const NGINX_STATUSES: Readonly<Record<number, GatewayFailure>> = {
  400: 'malformed',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  411: 'malformed',
  412: 'precondition_failed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  416: 'malformed',
  429: 'rate_limited',
  431: 'header_fields_too_large',
  494: 'header_fields_too_large',
  495: 'malformed',
  496: 'malformed',
  497: 'malformed',
  500: 'internal',
  501: 'not_implemented',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'timeout',
  505: 'malformed',
  507: 'internal',
};

/** A string nginx reads literally inside single quotes (`$` stays a variable marker, used on purpose). */
export function quoted(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * nginx statuses raised before the request URI is parsed (bad request line or HTTP version, URI
 * or headers too large, TLS-level refusals): a named location cannot be reached from them ("empty URI in
 * redirect to named location" and a default 500 page), so they redirect to an internal URI.
 */
const BEFORE_URI: ReadonlySet<number> = new Set([400, 414, 494, 495, 496, 497, 505]);

/** The directives answering one page, shared by its named and its internal-URI location. */
function pageBody(page: GatewayPage): string[] {
  const { head, tail } = page;
  if (/\$/.test(`${head}${tail}`)) throw new Error('faultline-edge: a page body contains "$"');
  const headers = Object.entries(page.headers)
    .filter(([name]) => name !== 'content-type')
    .map(([name, value]) => `    add_header ${name} ${quoted(value)} always;`);
  return [
    `    default_type ${quoted(page.headers['content-type'] ?? 'application/problem+json')};`,
    ...headers,
    '    add_header x-request-id $faultline_request_id always;',
    `    return ${page.status} ${quoted(`${head}$faultline_request_id${tail}`)};`,
  ];
}

/** A named location and an internal-URI location answering `page`. */
export function pageLocations(page: GatewayPage): string {
  const body = pageBody(page).join('\n');
  return `  location @faultline_${page.failure} {\n${body}\n  }\n  location = /.faultline/${page.failure} {\n    internal;\n${body}\n  }`;
}

/**
 * The `error_page` directives sending every nginx status to its page. With `kind` (an nginx
 * variable, `${faultline_answer_kind}`), to the location named by it and the failure: the gRPC
 * answer on a gRPC call, the page otherwise, each setting its own status (`=`).
 */
export function errorPages(byFailure: ReadonlyMap<GatewayFailure, GatewayPage>, kind?: string): string[] {
  return Object.entries(NGINX_STATUSES).map(([status, failure]) => {
    const page = byFailure.get(failure) as GatewayPage;
    const rewrite = kind !== undefined ? '= ' : Number(status) === page.status ? '' : `=${page.status} `;
    const name = `${kind ?? ''}${failure}`;
    const target = BEFORE_URI.has(Number(status)) ? `/.faultline/${name}` : `@faultline_${name}`;
    return `  error_page ${status} ${rewrite}${target};`;
  });
}
