/**
 * HAProxy rules for the headers of a backend answer that passes (not replaced by a page): a URL on
 * an internal host in `Location`, `Content-Location`, `Refresh` or a `Link` entry becomes its path (see
 * `location.ts`), and `WWW-Authenticate` keeps its scheme, a public realm and its error code only
 * (see `challenge.ts`). They are the frontend's rules (see `responses.ts`).
 */
import { CHALLENGE, CHALLENGE_OPAQUE, type ChallengeParam } from '../challenge.js';
import { INTERNAL_COOKIE_DOMAIN, INTERNAL_LINK, INTERNAL_LOCATION, INTERNAL_REFRESH } from '../location.js';
import { pattern } from './replies.js';

/** The first `WWW-Authenticate` header (the rules read only that one). */
const HEADER = 'res.fhdr(www-authenticate,1)';

/** The rules setting `txn.challenge_<name>` to the parameter's value when it is there and well-formed. */
function paramRules(name: string, param: ChallengeParam): string[] {
  const variable = `txn.challenge_${name}`;
  return [
    `  http-response set-var(${variable}) var(txn.challenge_params),regsub(${pattern(param.start)},'',i),regsub(${pattern(param.rest)},'') if { var(txn.challenge_params) -m reg -i ${pattern(param.present)} }`,
    `  http-response unset-var(${variable}) if { var(${variable}) -m found } !{ var(${variable}) -m reg ${pattern(param.valid)} }`,
  ];
}

/** The rules rebuilding `WWW-Authenticate` from its kept parts, in `txn.challenge`. */
export const CHALLENGE_RULES: readonly string[] = [
  '  # WWW-Authenticate: the scheme, a realm that names no internal host and the error code; not',
  '  # error_description, error_uri nor any other parameter (they may quote SQL or name hosts).',
  `  http-response set-var(txn.challenge) ${HEADER},regsub('[^A-Za-z0-9._~+-].*$','') if { ${HEADER} -m reg ${pattern(CHALLENGE.scheme)} }`,
  `  http-response set-var(txn.challenge_params) ${HEADER},regsub(${pattern(CHALLENGE_OPAQUE)},'=?',g) if { var(txn.challenge) -m found }`,
  ...paramRules('realm', CHALLENGE.realm),
  `  http-response unset-var(txn.challenge_realm) if { var(txn.challenge_realm) -m reg -i ${pattern(CHALLENGE.internalRealm)} }`,
  ...paramRules('error', CHALLENGE.error),
  `  http-response set-var-fmt(txn.challenge) '%[var(txn.challenge)] realm="%[var(txn.challenge_realm)]"' if { var(txn.challenge_realm) -m found }`,
  `  http-response set-var-fmt(txn.challenge) '%[var(txn.challenge)], error="%[var(txn.challenge_error)]"' if { var(txn.challenge_realm) -m found } { var(txn.challenge_error) -m found }`,
  `  http-response set-var-fmt(txn.challenge) '%[var(txn.challenge)] error="%[var(txn.challenge_error)]"' if !{ var(txn.challenge_realm) -m found } { var(txn.challenge_error) -m found }`,
  '  http-response set-header www-authenticate %[var(txn.challenge)] if { var(txn.challenge) -m found }',
  '  http-response del-header www-authenticate if { res.fhdr_cnt(www-authenticate) gt 0 } !{ var(txn.challenge) -m found }',
];

/** The rules rewriting URLs on an internal host to their path. */
export const LOCATION_RULES: readonly string[] = [
  "  # A URL on an internal host (the backend's own address, a cluster-internal name): its path on",
  "  # the client's host, in Location, Content-Location, Refresh (whole: it may hold a comma) and",
  '  # each Link entry.',
  `  http-response replace-header location ${pattern(`(?i)${INTERNAL_LOCATION}`)} '/\\1'`,
  `  http-response replace-header content-location ${pattern(`(?i)${INTERNAL_LOCATION}`)} '/\\1'`,
  `  http-response replace-header refresh ${pattern(`(?i)${INTERNAL_REFRESH}`)} '\\1/\\2'`,
  `  http-response replace-value link ${pattern(`(?i)${INTERNAL_LINK}`)} '\\1/\\2'`,
  "  # A cookie's Domain naming an internal host: emptied, as nginx's proxy_cookie_domain does (the",
  "  # cookie is the request host's only). Each Set-Cookie whole (an Expires date holds a comma).",
  `  http-response replace-header set-cookie ${pattern(`(?i)^(.*;[ \\t]*domain[ \\t]*=)[ \\t]*${INTERNAL_COOKIE_DOMAIN}[ \\t]*(;.*)?$`)} '\\1\\2'`,
];
