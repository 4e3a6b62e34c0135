/**
 * A backend's redirect or link may name the host it runs on, or another one inside the deployment
 * (`Location: http://10.0.0.5:8080/login`, `http://api.internal:8080/x`,
 * `http://db-1.svc.cluster.local/x`, `http://localhost:3000/`): an internal address the client can
 * neither reach nor should learn. Both gateways rewrite such a URL in `Location`,
 * `Content-Location` and each `Link` entry to its path (with query and fragment), resolved by the
 * client on the host it used; any other URL (a public name, a relative reference) passes. The URL
 * of a `Refresh` header (`0; url=http://orders-svc:3000/x`, which browsers follow as a redirect)
 * is rewritten the same way.
 *
 * The rule: a host is internal when it is
 * - an IP literal of any kind (a dotted quad, a name whose last label is numeric, which WHATWG URL
 *   parsers read as IPv4, or any bracketed IPv6): a public service is named by DNS, and a public
 *   address in a redirect is typically the origin behind a CDN, which must not be disclosed;
 * - a single label (`localhost`, `backend`, `db-primary`): only a resolver's search list makes it
 *   resolve, so it names a machine of the deployment's own network;
 * - a name under a suffix that is not delegated on the public DNS: special-use names (RFC 6761:
 *   `localhost`, `test`, `invalid`; RFC 6762: `local`, hence `*.svc.cluster.local`; RFC 8375:
 *   `home.arpa`), ICANN's private-use `internal` (`*.ec2.internal`), and the names private networks
 *   use by convention (`localdomain`, `lan`, `home`, `intranet`, `corp`, `private`, Kubernetes'
 *   `svc`, `consul`);
 * - percent-encoded (`%6c%6fcalhost`, which URL parsers decode).
 * A public name that merely starts like one (`10.0.0.5.example.com`, `localhost.example.com`) is
 * kept. The request's own host is not known to the rewrite: a redirect to a public name passes
 * whether it is the request's host or a third party (an OAuth provider), as it must.
 */

/** Suffixes (top-level names, or the last two labels) that never resolve on the public DNS. */
export const INTERNAL_SUFFIXES: readonly string[] = [
  'internal',
  'local',
  'localhost',
  'localdomain',
  'lan',
  'home',
  'home[.]arpa',
  'intranet',
  'corp',
  'private',
  'svc',
  'consul',
  'test',
  'invalid',
];

/** One character of a host name as it can appear in a URL's authority (not a delimiter). */
const NAME_CHAR = '[^/?#@:\\\\.<>\\s\\[]';

/**
 * An internal name on its own (a regular-expression source, anchored, matched without regard to
 * case): an IP literal, `localhost`, or a name under one of {@link INTERNAL_SUFFIXES}. A single
 * label other than `localhost` is not one here: a 401's realm (`api`, `Restricted`) is usually a
 * single word that names no host.
 */
export const INTERNAL_NAME = `^(?:[0-9.]*[0-9][.]?|\\[[0-9a-f:.]*\\]|localhost[.]?|(?:${NAME_CHAR}+[.])+(?:${INTERNAL_SUFFIXES.join('|')})[.]?)$`;

/** Hosts that only exist inside a deployment (see the rules above). */
const INTERNAL_HOST = [
  // An IP literal: a dotted quad, or any name whose last label is a number (decimal or hex).
  `(?:${NAME_CHAR}+[.])*(?:[0-9]+|0x[0-9a-f]*)[.]?`,
  // A bracketed IPv6 literal (loopback, unique local, link-local, public alike).
  '\\[[^\\]/?#@<>\\s]*\\]',
  // A single label (`localhost`, `backend`, a decimal IPv4 such as `2130706433`).
  `${NAME_CHAR}+[.]?`,
  // A name under a suffix that is not delegated on the public DNS.
  `(?:${NAME_CHAR}+[.])+(?:${INTERNAL_SUFFIXES.join('|')})[.]?`,
  // A percent-encoded host.
  '[^/?#@:\\\\<>\\s]*%[^/?#@:\\\\<>\\s]*',
].join('|');

/**
 * A `Set-Cookie` `Domain` value (a regular-expression source, unanchored, matched without regard
 * to case) that is an internal host, its leading dot optional (`.svc.cluster.local`, `orders-svc.internal`,
 * `10.0.0.5`): a browser refuses such a cookie for the public host anyway, and the value only
 * tells the client the deployment's names. Both gateways empty it (`Domain=`, which browsers
 * ignore: the cookie is the request host's only, its narrowest scope).
 */
export const INTERNAL_COOKIE_DOMAIN = `[.]?(?:${INTERNAL_HOST})`;

/**
 * An absolute URL's scheme, userinfo, internal host and port, up to the end of its authority; the
 * scheme may be absent (`//orders-svc:3000/x`, a network-path reference), and either slash may be
 * a backslash (URL parsers read `\\` as `/` in an http(s) URL).
 */
const INTERNAL_AUTHORITY = `(?:[a-z][a-z0-9+.-]*:)?[/\\\\]{2}(?:[^/?#@<>\\s]*@)?(?:${INTERNAL_HOST})(?::[0-9]*)?(?=[/?#\\\\>]|$)[/\\\\]*`;

/**
 * An absolute `Location` (or `Content-Location`) on an internal host (a regular-expression source,
 * matched without regard to case; the only capture is what follows the authority, its leading
 * slashes and backslashes dropped so that `/` + it is always a path on the client's host, never
 * `//other.host`). The authority must end there: `http://10.0.0.5.example.com/` is a public name
 * and is kept.
 */
export const INTERNAL_LOCATION = `^${INTERNAL_AUTHORITY}(.*)$`;

/**
 * An internal authority anywhere in a value (a regular-expression source, matched without regard
 * to case): what is left of a header that still names an internal host after its rewrite, e.g.
 * several `Content-Location` headers that nginx's njs reads joined by commas.
 */
export const INTERNAL_AUTHORITY_ANYWHERE = INTERNAL_AUTHORITY;

/**
 * One `Link` entry (`<uri>; rel=…`, as HAProxy's `replace-value` splits the header at commas) whose
 * target is on an internal host: group 1 is the opening `<` with the white space before it, group
 * 2 the rest after the authority. Rewritten to `\1/\2`, the target becomes the path on the
 * client's host, its parameters kept.
 */
export const INTERNAL_LINK = `^([ \\t]*<)${INTERNAL_AUTHORITY}(.*)$`;

/**
 * The same target anywhere in a whole `Link` value (several entries, or several headers joined
 * with commas, as njs reads them): replaced, globally, by `</`.
 */
export const INTERNAL_LINK_TARGET = `<${INTERNAL_AUTHORITY}`;

/**
 * A `Refresh` value (`<delay>[;,] [url=]['"]<url>`, as browsers read it: the `url=` and the quotes
 * are optional) whose URL is on an internal host: group 1 is everything before the URL, group 2
 * the rest after the authority. Rewritten to `\1/\2` (matched without regard to case), the URL
 * becomes the path on the client's host; any other value passes. The header is rewritten whole:
 * it may hold a comma, so it is never split into values.
 */
export const INTERNAL_REFRESH = `^([ \\t]*[0-9.]*[ \\t]*[;,]?[ \\t]*(?:url[ \\t]*=[ \\t]*)?[\\x22\\x27]?)${INTERNAL_AUTHORITY}(.*)$`;
