/**
 * The newer probes (wrong-typed JSON, a malformed form, XML and multipart body, a body whose
 * Content-Encoding it is not, errors asked for as HTML, a CORS preflight, a request twice on one
 * keep-alive connection, HEAD, GraphQL requests on a GraphQL endpoint, objects for ids, a query key
 * twice, other `Accept` values, `?debug=1` and `X-Requested-With: XMLHttpRequest`) for routes that
 * discovery found, not only the base path and the hints: a handler that leaks only on its own route
 * is reached. Only GET, HEAD, POST and OPTIONS go to a discovered route: PUT, PATCH and DELETE never
 * go to a path the probe did not make (a document's own operations are sent as it declares them,
 * elsewhere).
 */
import type { HttpProbe } from './client.js';
import type { HttpOperation } from './discover.js';
import { fillPath } from './mutate.js';
import { acceptProbes } from './negotiation.js';
import { extraProbes, httpProbes } from './probes.js';

/** The most discovered routes that get {@link routeProbes} (17 requests each, a GraphQL endpoint two more: about 340 in all). */
export const ROUTE_LIMIT = 20;

/** The probes of {@link httpProbes} and {@link extraProbes} sent to a discovered route as they are (GET, POST and OPTIONS only). */
const AS_THEY_ARE: ReadonlySet<string> = new Set([
  'wrong-types',
  'malformed-form',
  'malformed-xml',
  'malformed-multipart',
  'bad-content-encoding',
  'html-malformed-json',
  'options',
  'graphql-syntax',
  'graphql-variables',
  'graphql-introspection',
  'graphql-suggestion',
  'object-fields',
  'duplicate-query',
  // The switches an error handler most often turns verbose on: `?debug=1` and an XHR client's field.
  'debug-query',
  'xhr',
]);

/** The concrete path of `op` (its parameters filled with `1`, its query left out). */
export function routePath(op: HttpOperation): string {
  return fillPath(op.path, () => '1').split('?')[0] ?? '';
}

/**
 * The routes to send {@link routeProbes} to, in discovery's order, at most {@link ROUTE_LIMIT}: every
 * route a document or a link names, and a guessed one (the built-in list) only when some answer to
 * it was an HTTP answer other than 404 (it exists). `done` (the base and the hints, which got the full set) is left out.
 */
export function liveRoutes(
  operations: readonly HttpOperation[],
  seen: ReadonlyMap<string, number>,
  done: ReadonlySet<string>,
): string[] {
  const routes = new Set<string>();
  for (const op of operations) {
    if (routes.size >= ROUTE_LIMIT) break;
    const path = routePath(op);
    if (path === '' || done.has(path)) continue;
    const status = seen.get(path);
    // Not answered, a 404, or text that is not HTTP (status 0, an answer that could not be parsed): not known to exist.
    if (op.guessed === true && (status === undefined || status === 404 || status === 0)) continue;
    routes.add(path);
  }
  return [...routes];
}

/** The probes for discovered route `path`: GET, HEAD, POST and OPTIONS only. */
export function routeProbes(path: string, marker: string): HttpProbe[] {
  const html = { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' };
  return [
    ...[...httpProbes(path, marker), ...extraProbes(path, marker)].filter((probe) => AS_THEY_ARE.has(probe.name)),
    // The route itself (not an unknown path under it), as a browser and as a client reusing a connection.
    { name: 'html-route', request: { method: 'GET', path, headers: html } },
    { name: 'keep-alive-route', request: { method: 'GET', path }, twice: true },
    // HEAD (HTTP/1.1 only): its answer is all fields, and a router's automatic HEAD may answer them differently.
    { name: 'head-route', request: { method: 'HEAD', path } },
    // The route asked for plain text, XML and anything: an error handler's other branches.
    ...acceptProbes(path, true),
  ];
}
