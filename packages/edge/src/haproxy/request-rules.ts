/**
 * The request rules every frontend that proxies runs first (HTTP and gRPC alike): its logger, the
 * request id (kept when valid, else a new v4) sent upstream, the forwarding headers, and the Host
 * check.
 */
import { idPattern, type UuidVersion } from '../request-id.js';
import { TRUSTED_ID_PATTERN } from '../trusted-gateways.js';

/** The ACL naming a peer that is one of the trusted gateways (declared by {@link idRules}). */
const TRUSTED = 'faultline_trusted_gateway';

/**
 * A frontend's loggers: its traffic only, to stdout (len: a JSON line with a long, captured
 * 1024-byte, URI stays whole). The global loggers (stderr) are dropped here, so the access log
 * holds no line of HAProxy's own (a server down goes to stderr through the backend's).
 */
export const TRAFFIC_LOG = '  no log\n  log stdout len 8192 format raw local0';

/**
 * The new v4 id every stream starts with, made before HAProxy looks at the request: a request its
 * HTTP/2 layer finds malformed (a `:method` that is not a token, such as `G"ET`) is answered with
 * the 400 page at once, no `http-request` rule run, and the page, its header and the log line
 * would otherwise carry no id. The `http-request` rule below replaces it with a client's valid id.
 */
const FALLBACK_ID = '  tcp-request content set-var(txn.request_id) uuid(4)';

/**
 * The request id rules: one incoming id of an accepted version kept lower-cased, else a new v4.
 * With `trusted` gateways (checked `trustedGateways`), the ACL naming them, and one id of any UUID
 * version from them kept too.
 */
export function idRules(versions: readonly UuidVersion[] | undefined, trusted: readonly string[] = []): string {
  const fromTrusted =
    trusted.length === 0
      ? ''
      : `  acl ${TRUSTED} src ${trusted.join(' ')}
  http-request set-var(txn.request_id) req.fhdr(x-request-id),lower if ${TRUSTED} { req.fhdr_cnt(x-request-id) eq 1 } { req.fhdr(x-request-id),lower -m reg ${TRUSTED_ID_PATTERN} }
`;
  return `${FALLBACK_ID}
${fromTrusted}  http-request set-var(txn.request_id) req.fhdr(x-request-id),lower if { req.fhdr_cnt(x-request-id) eq 1 } { req.fhdr(x-request-id),lower -m reg ${idPattern(versions)} }`;
}

/**
 * The rules sending the id upstream as the one `X-Request-ID`, and the forwarding headers; with
 * `trusted` gateways (after {@link idRules} declared their ACL), one `X-Forwarded-Proto` of `http`
 * or `https` from them is kept.
 */
export function forwardingRules(trusted: readonly string[] = []): string {
  const kept =
    trusted.length === 0
      ? ''
      : ` unless ${TRUSTED} { req.fhdr_cnt(x-forwarded-proto) eq 1 } { req.fhdr(x-forwarded-proto) -m str http https }`;
  return `  # x_request_id and the like: CGI-style servers (PHP, Rack, WSGI) read them as X-Request-ID.
  http-request del-header '^x[-_]request[-_]id$' -m reg
  http-request set-header x-request-id %[var(txn.request_id)]
  # As the nginx gateway: the peer's address appended to X-Forwarded-For, the scheme it used (a
  # client's own X-Forwarded-Proto dropped), and no expectation but 100-continue (Node answers
  # any other with a bare 417 of its own).
  option forwardfor
  http-request set-header x-forwarded-proto %[ssl_fc,iif(https,http)]${kept}
  http-request del-header expect unless { req.hdr(expect) -m str -i 100-continue }`;
}

/**
 * A Host HAProxy 2.6 passes on but nginx refuses with 400 (and Node's parser answers with a bare
 * 400 of its own when it is missing): none on an HTTP/1.1 or HTTP/2 request, or one that is not a
 * host name or bracketed IP literal with an optional port (a space, a slash, `..`). Empty is allowed.
 */
export const HOST = `'^([[][0-9A-Fa-f:.]+[]]|[A-Za-z0-9_~-]+([.][A-Za-z0-9_~-]+)*[.]?)?(:[0-9]{0,5})?$'`;

/** The rules answering a missing or malformed Host with `malformed` (the arguments of an answer). */
export function hostRules(malformed: string): string {
  return `  http-request return ${malformed} if !{ req.ver 1.0 } !{ req.hdr(host) -m found }
  http-request return ${malformed} if { req.fhdr(host) -m found } !{ req.fhdr(host) -m reg ${HOST} }`;
}
