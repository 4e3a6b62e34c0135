/**
 * Helpers of the njs filter (see `filter-script.ts`) that read the backend's answer headers: its
 * JSON test (string operations, no RegExp per request) and the headers a replaced answer keeps.
 */
import { KEPT_HEADERS } from '../backend-headers.js';

/** The njs source (ES5) of the header helpers `isJson(r)` and `keptHeaders(r, status)`, with their constants. */
export const NJS_HEADER_HELPERS = `// A JSON media type is application/json or application/<prefix>+json, parameters allowed (as
// JSON_MEDIA_TYPE in backend-headers.ts, tested with string operations: see isJson). The header patterns are
// sources, compiled where they are used: a RegExp made at the top level is made for every request
// (each gets its own copy of the module); with four of them, and one per 4xx, the gateway cost
// 0.74 of a bare nginx in bench:edge, against 0.89 before.
// The characters of a structured-syntax prefix, as JSON_MEDIA_TYPE has them.
var SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789.!#$&^_-';
// The backend's headers a replaced answer keeps when well-formed (see KEPT_HEADERS).
var CHALLENGE = ${JSON.stringify(KEPT_HEADERS.challengeScheme)};
var ALLOW = ${JSON.stringify(KEPT_HEADERS.allow)};
var RETRY_AFTER = ${JSON.stringify(KEPT_HEADERS.retryAfter)};

/** A tab or space (what may surround a media type). */
function isBlank(c) {
  return c === ' ' || c === '\\t';
}

/**
 * True when the backend's answer is JSON (application/json, application/*+json): the test of
 * JSON_MEDIA_TYPE, made with string operations (this runs on every backend 4xx, and a RegExp is
 * compiled each time it is made).
 */
function isJson(r) {
  var type = String(r.headersOut['Content-Type'] || '').toLowerCase();
  var semi = type.indexOf(';');
  if (semi !== -1) type = type.slice(0, semi);
  var start = 0;
  var end = type.length;
  while (start < end && isBlank(type.charAt(start))) start++;
  while (end > start && isBlank(type.charAt(end - 1))) end--;
  type = type.slice(start, end);
  if (type.slice(0, 12) !== 'application/') return false;
  var sub = type.slice(12);
  if (sub === 'json') return true;
  if (sub.length < 6 || sub.slice(-5) !== '+json') return false;
  for (var i = 0; i < sub.length - 5; i++) if (SUFFIX_CHARS.indexOf(sub.charAt(i)) === -1) return false;
  return true;
}

/** The backend's header \`name\`, as one string ('' when absent). */
function outHeader(r, name) {
  var value = r.headersOut[name];
  return value === undefined || value === null ? '' : String(value);
}

/**
 * The backend's headers a page keeps, when well-formed: a 401's challenge scheme, a 405's Allow,
 * a 429's or 503's Retry-After in seconds (at most a day). Read before the answer's headers go.
 */
function keptHeaders(r, status) {
  var kept = {};
  if (!r.variables.upstream_status) return kept;
  var value;
  if (status === 401) {
    var scheme = new RegExp(CHALLENGE).exec(outHeader(r, 'WWW-Authenticate'));
    if (scheme) kept['www-authenticate'] = scheme[1];
  } else if (status === 405) {
    value = outHeader(r, 'Allow');
    if (new RegExp(ALLOW).test(value)) kept.allow = value;
  } else if (status === 429 || status === 503) {
    value = outHeader(r, 'Retry-After');
    if (new RegExp(RETRY_AFTER).test(value) && Number(value) <= 86400) kept['retry-after'] = value;
  }
  return kept;
}`;
