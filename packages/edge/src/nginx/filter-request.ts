/**
 * The njs functions (see `filter-script.ts`) that nginx calls for the request itself through
 * `js_set`, only when the request needs them: the incoming request id's check and the access
 * log's path when it is not ASCII.
 */

/**
 * The njs source (ES5) of `incomingId(r)` and `logUri(r)`. `idPattern` is the regular-expression
 * source an incoming request id must match (lower-cased); it is written inside the function, so a
 * request that sends no id makes nothing of it (each request runs the module's top level anew).
 * `trustedPattern` (with `trustedGateways`): the one an id from a trusted gateway matches instead.
 */
export function njsRequestHelpers(idPattern: string, trustedPattern?: string): string {
  const pattern =
    trustedPattern === undefined
      ? JSON.stringify(idPattern)
      : `r.variables.faultline_trusted_gateway === '1' ? ${JSON.stringify(trustedPattern)} : ${JSON.stringify(idPattern)}`;
  return `/**
 * The incoming X-Request-ID, lower-cased, when exactly one was sent and it is a UUID of an
 * accepted version (any version from a trusted gateway); else '' (two ids: neither is trusted). Over HTTP/1.x, tabs around it are
 * optional white space (RFC 9110), which nginx 1.22 leaves in the value and HAProxy and Node
 * strip; over HTTP/2 a value with white space around it is malformed (RFC 9113), never kept.
 */
function incomingId(r) {
  var found = '';
  var count = 0;
  var raw = r.rawHeadersIn;
  for (var i = 0; i < raw.length; i++) {
    if (raw[i][0].toLowerCase() === 'x-request-id') {
      count++;
      found = r.httpVersion === '2.0' ? raw[i][1] : raw[i][1].replace(/^[ \\t]+|[ \\t]+$/g, '');
    }
  }
  if (count !== 1 || found.length !== 36) return '';
  var id = found.toLowerCase();
  return new RegExp(${pattern}).test(id) ? id : '';
}

/**
 * The request path for the access log when it holds a byte over 0x7f (the map calls this only
 * then): $uri is percent-decoded, and a byte that is not UTF-8 (\`%ff\`) written as is would make
 * the line invalid JSON (escape=json leaves such bytes alone). Invalid sequences become U+FFFD.
 */
function logUri(r) {
  var raw = r.rawVariables.uri;
  return raw ? new TextDecoder().decode(raw) : '';
}`;
}
