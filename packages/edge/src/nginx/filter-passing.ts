/**
 * The njs helper (see `filter-script.ts`) that cleans the headers of every backend answer before
 * the filter decides whether to replace it: a URL on an internal host in `Content-Location` or a
 * `Link` entry becomes its path (`Location` is `proxy_redirect`'s, and so is a `Refresh` with
 * `url=` and no quote; the other forms are rewritten here), and `WWW-Authenticate` keeps
 * the challenge's scheme, a public realm and its error code only (see `challenge.ts`).
 */
import { CHALLENGE, CHALLENGE_OPAQUE } from '../challenge.js';
import { INTERNAL_AUTHORITY_ANYWHERE, INTERNAL_LINK_TARGET, INTERNAL_LOCATION, INTERNAL_REFRESH } from '../location.js';

/** The njs source (ES5) of `cleanHeaders(r)` and `challengeOf(value)`, with their patterns. */
export const NJS_PASSING_HELPERS = `// A URL on an internal host (location.ts): sources, compiled only when the header is there.
var INTERNAL_LOCATION = ${JSON.stringify(INTERNAL_LOCATION)};
var INTERNAL_AUTHORITY_ANYWHERE = ${JSON.stringify(INTERNAL_AUTHORITY_ANYWHERE)};
var INTERNAL_LINK_TARGET = ${JSON.stringify(INTERNAL_LINK_TARGET)};
var INTERNAL_REFRESH = ${JSON.stringify(INTERNAL_REFRESH)};
// The parts of a challenge that are kept (challenge.ts); the parameters' patterns as JSON text,
// parsed only for an answer with a challenge (a top-level object is copied for every request).
var CHALLENGE_OPAQUE = ${JSON.stringify(CHALLENGE_OPAQUE)};
var CHALLENGE_REALM = ${JSON.stringify(JSON.stringify(CHALLENGE.realm))};
var CHALLENGE_ERROR = ${JSON.stringify(JSON.stringify(CHALLENGE.error))};
var INTERNAL_REALM = ${JSON.stringify(CHALLENGE.internalRealm)};

/** The value the parameter described by \`text\` (JSON) reads in \`params\` (opaque values blanked) when there and well-formed, else ''. */
function paramOf(params, text) {
  var param = JSON.parse(text);
  if (!new RegExp(param.present, 'i').test(params)) return '';
  var value = params.replace(new RegExp(param.start, 'i'), '').replace(new RegExp(param.rest), '');
  return new RegExp(param.valid).test(value) ? value : '';
}

/**
 * The challenge kept of a WWW-Authenticate value (njs joins several headers with commas): its
 * scheme, a realm that names no internal host, its error code; '' when the scheme is not
 * well-formed. As the HAProxy rules read it (challenge.ts).
 */
function challengeOf(value) {
  var scheme = new RegExp(CHALLENGE).exec(value);
  if (!scheme) return '';
  var kept = scheme[1];
  var params = value.replace(new RegExp(CHALLENGE_OPAQUE, 'g'), '=?');
  var realm = paramOf(params, CHALLENGE_REALM);
  if (realm !== '' && new RegExp(INTERNAL_REALM, 'i').test(realm)) realm = '';
  if (realm !== '') kept += ' realm="' + realm + '"';
  var error = paramOf(params, CHALLENGE_ERROR);
  if (error !== '') kept += (realm !== '' ? ', ' : ' ') + 'error="' + error + '"';
  return kept;
}

/**
 * Rewrites the backend's Content-Location, Refresh, Link and WWW-Authenticate (four header lookups
 * on an answer that has none of them; a RegExp only for one that does).
 */
function cleanHeaders(r) {
  var out = r.headersOut;
  var value = out['Content-Location'];
  if (value !== undefined) {
    // One URL on an internal host becomes its path. Several headers come joined by commas (an
    // empty first one makes the value start with one): if any internal host is left, the header
    // goes (a Content-Location is one URL; with several, the answer is malformed anyway).
    var path = new RegExp(INTERNAL_LOCATION, 'i').exec(value);
    var kept = path ? '/' + path[1] : value;
    if (new RegExp(INTERNAL_AUTHORITY_ANYWHERE, 'i').test(kept)) delete out['Content-Location'];
    else if (kept !== value) out['Content-Location'] = kept;
  }
  value = out.Refresh;
  if (value !== undefined) {
    var refresh = value.replace(new RegExp(INTERNAL_REFRESH, 'i'), '$1/$2');
    if (refresh !== value) out.Refresh = refresh;
  }
  value = out.Link;
  if (value !== undefined) {
    var links = value.replace(new RegExp(INTERNAL_LINK_TARGET, 'gi'), '</');
    if (links !== value) out.Link = links;
  }
  value = out['WWW-Authenticate'];
  if (value !== undefined) {
    var challenge = challengeOf(value);
    if (challenge === '') delete out['WWW-Authenticate'];
    else if (challenge !== value) out['WWW-Authenticate'] = challenge;
  }
}`;
