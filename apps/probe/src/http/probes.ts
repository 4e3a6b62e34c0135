/**
 * The full set of HTTP probes, sent to the base path and to every `--path` hint: malformed and
 * truncated JSON, wrong-typed JSON (POST, PUT, PATCH), a malformed form body and XML document,
 * wrong content types, oversized body, headers and URL, invalid UTF-8 and percent-encoding,
 * traversal and unknown routes, errors asked for as HTML (the debug page a browser gets), method
 * overrides, DELETE, garbled and forged bearer tokens, hostile request ids, type confusion in
 * parameters, OPTIONS (a CORS preflight from a foreign origin), HEAD and TRACE, a request sent twice on
 * one keep-alive connection, the same wrong-typed create sent twice (a duplicate key), a multipart body
 * cut short (an upload parser's error), a body whose Content-Encoding it is not (a decoder's error), a
 * Host that is no host and cookies whose percent-encoding is broken; and, sent after those of every
 * path ({@link extraProbes}), the negotiation probes (other `Accept` values, clients and query
 * switches, HTTP/1.0) and the provoking ones (deep JSON, a key twice, objects for ids, an unknown
 * method, a long query and field).
 */
import type { HttpProbe } from './client.js';
import { graphqlProbes } from './graphql.js';
import { garbledTokens, wrongBody } from './mutate.js';
import { negotiationProbes } from './negotiation.js';
import { provokingProbes } from './provoke.js';

/**
 * Probes whose request is malformed: a 2xx answer to them is a finding. Wrong-typed JSON, a form and
 * an XML body are not among them: an API may take or ignore them; they are sent to find leaks.
 */
const MALFORMED: ReadonlySet<string> = new Set([
  'malformed-json',
  'html-malformed-json',
  'truncated-json',
  'wrong-content-type',
  'oversized-body',
  'oversized-header',
  'long-url',
  'bad-percent-encoding',
  'invalid-utf8',
  'malformed-multipart',
  'bad-content-encoding',
]);

/** The probes against `path` (a known route or the base), marked with `marker`. */
export function httpProbes(path: string, marker: string): HttpProbe[] {
  const base = path.endsWith('/') ? path.slice(0, -1) : path;
  const tokens = garbledTokens(marker);
  const hostileId = `"}<script>${marker}</script>`;
  const json = { 'content-type': 'application/json' };
  const html = { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' };
  const wrong = wrongBody(undefined);
  return [
    {
      name: 'unknown-route',
      request: { method: 'GET', path: `${base}/${marker}/..%2f..%2fetc%2fpasswd?q=<script>${marker}` },
    },
    { name: 'traversal', request: { method: 'GET', path: `${base}/../../../../etc/passwd` } },
    { name: 'malformed-json', request: { method: 'POST', path: base || '/', headers: json, body: `{"${marker}": ` } },
    {
      name: 'truncated-json',
      request: { method: 'POST', path: base || '/', headers: json, body: '{"items":[{"qty":1},' },
    },
    // Well-formed JSON of the wrong types reaches the handler (and its database) where malformed JSON does not.
    { name: 'wrong-types', request: { method: 'POST', path: base || '/', headers: json, body: wrong } },
    { name: 'put-wrong-types', request: { method: 'PUT', path: base || '/', headers: json, body: wrong } },
    { name: 'patch-wrong-types', request: { method: 'PATCH', path: base || '/', headers: json, body: wrong } },
    // Under a path of its own marker: the probe never deletes what the base path or a hint names.
    { name: 'delete', request: { method: 'DELETE', path: `${base}/${marker}` } },
    {
      name: 'malformed-form',
      request: {
        method: 'POST',
        path: base || '/',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `${marker}=%E0%A4%A&a[b][c]=1&a=x`,
      },
    },
    // Frameworks in debug mode answer a browser (Accept: text/html) with their debug page.
    { name: 'html-unknown-route', request: { method: 'GET', path: `${base}/${marker}`, headers: html } },
    {
      name: 'html-malformed-json',
      request: { method: 'POST', path: base || '/', headers: { ...json, ...html }, body: `{"${marker}": ` },
    },
    { name: 'keep-alive', request: { method: 'GET', path: `${base}/${marker}` }, twice: true },
    // The same create twice on one connection: the second is a duplicate (a unique index's error).
    { name: 'repeat-post', request: { method: 'POST', path: base || '/', headers: json, body: wrong }, twice: true },
    // An upload parser (busboy, multer, formidable) on a form cut short: no closing boundary.
    {
      name: 'malformed-multipart',
      request: {
        method: 'POST',
        path: base || '/',
        headers: { 'content-type': `multipart/form-data; boundary=${marker}` },
        body: `--${marker}\r\ncontent-disposition: form-data; name="file"; filename="${marker}.txt"\r\ncontent-type: text/plain\r\n\r\nabc`,
      },
    },
    // A body that is not what its Content-Encoding says: a decoder's error (zlib's) before any handler.
    {
      name: 'bad-content-encoding',
      request: {
        method: 'POST',
        path: base || '/',
        headers: { ...json, 'content-encoding': 'gzip' },
        body: `{"${marker}": `,
      },
    },
    {
      name: 'malformed-xml',
      request: {
        method: 'POST',
        path: base || '/',
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0"?><${marker}><a></b>`,
      },
    },
    {
      name: 'wrong-content-type',
      request: { method: 'POST', path: base || '/', headers: { 'content-type': 'text/xml' }, body: `<${marker}/>` },
    },
    {
      name: 'oversized-body',
      request: { method: 'POST', path: base || '/', headers: json, body: `{"a":"${'x'.repeat(2_000_000)}"}` },
    },
    {
      name: 'oversized-header',
      request: { method: 'GET', path: base || '/', headers: { 'x-probe-big': 'a'.repeat(24_000) } },
    },
    { name: 'long-url', request: { method: 'GET', path: `${base}/${'u'.repeat(100_000)}` } },
    { name: 'bad-percent-encoding', request: { method: 'GET', path: `${base}/%E0%A4%A${marker}` } },
    {
      name: 'invalid-utf8',
      request: { method: 'GET', path: Buffer.concat([Buffer.from(`${base}/`), Buffer.from([0xff, 0xfe, 0xc3])]) },
    },
    { name: 'null-byte', request: { method: 'GET', path: `${base}/%00${marker}` } },
    {
      name: 'method-override',
      request: { method: 'POST', path: base || '/', headers: { 'x-http-method-override': 'DELETE' } },
    },
    { name: 'odd-method', request: { method: 'PROPFIND', path: base || '/' } },
    // Answers a client reads too, often built by other code (CORS, a router's automatic HEAD).
    // A CORS preflight from an origin no API allows: a CORS handler that refuses it by throwing answers its stack.
    {
      name: 'options',
      request: {
        method: 'OPTIONS',
        path: base || '/',
        headers: { origin: 'https://probe.invalid', 'access-control-request-method': 'PUT' },
      },
    },
    { name: 'head', request: { method: 'HEAD', path: `${base}/${marker}` } },
    // TRACE: often answered by other code than the routes (a method check, a proxy), or by a crash.
    { name: 'trace', request: { method: 'TRACE', path: base || '/' } },
    // A Host that is no host: a handler that builds its URL from it (`new URL(req.url, \`http://${host}\`)`) throws.
    { name: 'bad-host', request: { method: 'GET', path: base || '/', headers: { host: `[${marker}` } } },
    // Cookies that are not percent-encoded right: a cookie parser that decodes them throws (URIError).
    {
      name: 'bad-cookie',
      request: { method: 'GET', path: base || '/', headers: { cookie: `session=%E0%A4%A; ${marker}=%` } },
    },
    // HEAD on the path itself: a router's automatic HEAD runs the GET handler, whose error fields may leak.
    { name: 'head-path', request: { method: 'HEAD', path: base || '/' } },
    {
      name: 'garbled-jwt',
      request: {
        method: 'GET',
        path: base || '/',
        headers: { authorization: tokens.garbage },
      },
    },
    { name: 'forged-jwt', request: { method: 'GET', path: base || '/', headers: { authorization: tokens.forged } } },
    {
      name: 'odd-basic-auth',
      request: {
        method: 'GET',
        path: base || '/',
        headers: { authorization: `Basic ${Buffer.from('\u00ff\u0000:\u00e9').toString('base64')}=` },
      },
    },
    {
      name: 'hostile-request-id',
      request: { method: 'GET', path: `${base}/${marker}`, headers: { 'x-request-id': hostileId } },
      hostileId,
    },
    {
      name: 'type-confusion',
      // On the root too, the query follows a `/` (a bare `?…` is no request target, and HTTP/2 cannot send it).
      request: { method: 'GET', path: `${base || '/'}?id[]=1&id[$gt]=&limit=-1e309&sort[__proto__]=x` },
    },
    // A GraphQL endpoint's executor is reached only by a GraphQL request.
    ...graphqlProbes(base),
  ].map((probe) => (MALFORMED.has(probe.name) ? { ...probe, malformed: true } : probe));
}

/**
 * The probes sent to `path` once every path had those of {@link httpProbes} (a run cut short by
 * `--max-requests` loses these first): the negotiation and provoking probes.
 */
export function extraProbes(path: string, marker: string): HttpProbe[] {
  const base = path.endsWith('/') ? path.slice(0, -1) : path;
  return [...negotiationProbes(base, marker), ...provokingProbes(base)];
}
