/**
 * What the gateways read or strip in a backend's answer headers: the JSON media types (a 4xx in
 * one passes), the well-formed values a replaced answer keeps, and the headers that name the
 * backend's product, version or internals.
 */

/**
 * A JSON media type as a backend's `Content-Type` (a regular-expression source, matched without
 * regard to case): `application/json` or `application/<anything>+json` (`problem+json`,
 * `vnd.api+json`), parameters allowed. A backend 4xx whose type is anything else is replaced.
 */
export const JSON_MEDIA_TYPE = '^[ \\t]*application/([a-z0-9.!#$&^_-]+[+])?json[ \\t]*(;|$)';

const JSON_TYPE = new RegExp(JSON_MEDIA_TYPE, 'i');

/** True when `type` (a `Content-Type` value) is a JSON media type ({@link JSON_MEDIA_TYPE}). */
export function isJsonMediaType(type: string): boolean {
  return JSON_TYPE.test(type);
}

/** The application's error content types that are JSON media types (a 4xx in one of them is JSON). */
export function jsonErrorTypes(contentTypes: readonly string[]): string[] {
  return contentTypes.filter(isJsonMediaType);
}

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
