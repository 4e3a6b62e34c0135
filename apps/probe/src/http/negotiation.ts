/**
 * Requests that ask for an answer in another form than JSON, or from another kind of client. An
 * error handler often branches on them (`res.format({ json, text })`, `req.xhr`, `?debug=1`, a
 * CORS layer, an i18n layer), and the branch the probe's JSON requests never take may send the
 * stack. Each goes to a path as it is (the route's own handler) and, for the `Accept` values, with
 * a malformed JSON body to the base path too (a body parser's error): {@link ACCEPTS} has one value
 * per media type a handler tells apart, each alone (an exact comparison and a negotiation both pick
 * it), so the cost is bounded: {@link negotiationProbes} makes 12 requests a path,
 * {@link acceptProbes} 3 (a discovered route's), {@link malformedAcceptProbes} 4 (the base's).
 */
import type { HttpProbe } from './client.js';

/**
 * The `Accept` values tried, each alone: plain text (`res.format`'s text branch, curl scripts), HTML
 * alone (the browser's composite value is sent by other probes), XML, and `*∕*` alone (curl's
 * default, which a handler may answer with its first, non-JSON type). JSON is what the other probes
 * ask for.
 */
export const ACCEPTS: readonly string[] = ['text/plain', 'text/html', 'application/xml', '*/*'];

/** The probe name for `accept`: `accept-text-plain`, `accept-any`. */
function acceptName(accept: string): string {
  return accept === '*/*' ? 'accept-any' : `accept-${accept.replace(/\W+/g, '-')}`;
}

/**
 * GET `path` once with each of {@link ACCEPTS}; `route`: a discovered route's three, without
 * `text/html` alone (its browser's composite value is sent to a route by the other probes).
 */
export function acceptProbes(path: string, route = false): HttpProbe[] {
  return ACCEPTS.filter((accept) => !route || accept !== 'text/html').map((accept) => ({
    name: acceptName(accept),
    request: { method: 'GET', path, headers: { accept } },
  }));
}

/**
 * POST a malformed JSON body to `path` once with each of {@link ACCEPTS}: a body parser's error, in
 * each form. Sent to the base path only (an error handler serves every route).
 */
export function malformedAcceptProbes(path: string, marker: string): HttpProbe[] {
  return ACCEPTS.map((accept) => ({
    name: `malformed-${acceptName(accept)}`,
    request: {
      method: 'POST',
      path: path || '/',
      headers: { 'content-type': 'application/json', accept },
      body: `{"${marker}": `,
    },
    malformed: true,
  }));
}

/**
 * The negotiation probes for `path` (a known route or the base; `marker` marks the body): GET with
 * each `Accept` value, an `Accept-Language`, `X-Requested-With: XMLHttpRequest`, the query switches
 * `debug=1`, `pretty` and `format=xml` (each alone), a cross-origin GET (not only a preflight), a
 * `text/plain` body, and HTTP/1.0 without a Host field (HTTP/1.1 only).
 */
export function negotiationProbes(path: string, marker: string): HttpProbe[] {
  const target = path || '/';
  const query = (switches: string) => `${target}${target.includes('?') ? '&' : '?'}${switches}`;
  const get = (name: string, headers: Record<string, string>) => ({
    name,
    request: { method: 'GET', path: target, headers },
  });
  return [
    ...acceptProbes(target),
    get('accept-language', { 'accept-language': 'de-CH, de;q=0.9, zz;q=0.1' }),
    get('xhr', { 'x-requested-with': 'XMLHttpRequest' }),
    get('cross-origin-get', { origin: 'https://probe.invalid' }),
    { name: 'debug-query', request: { method: 'GET', path: query('debug=1') } },
    { name: 'pretty-query', request: { method: 'GET', path: query('pretty') } },
    { name: 'format-query', request: { method: 'GET', path: query('format=xml') } },
    {
      name: 'text-body',
      request: { method: 'POST', path: target, headers: { 'content-type': 'text/plain' }, body: marker },
    },
    { name: 'http10', request: { method: 'GET', path: target, http10: true } },
  ];
}
