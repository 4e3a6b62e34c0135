/**
 * Whether an HTTP answer shows an application route: a well-formed request to a path the probe did
 * not make up (no marker in it) answered other than 404, 502, 503 or 504 (a gateway's answers). Requests a server may refuse before any
 * route (a malformed body, an oversized head or body, a URL that is not valid, an odd method,
 * TRACE, a Host that is no host) and paths of the probe's own say nothing about the routes: a
 * target whose every route is a 404 exercised only its not-found handler, and the run says so.
 */
import type { Answer } from '../answer.js';
import type { HttpProbe } from './client.js';

/**
 * Probes a server may answer before routing, whatever the path (with a malformed request, marked
 * `malformed`, too: a body parser that runs before the router answers 400 on every path).
 */
const BEFORE_ROUTING: ReadonlySet<string> = new Set([
  'malformed-form',
  'malformed-xml',
  'oversized-header',
  'oversized-body',
  'long-url',
  'invalid-utf8',
  'bad-percent-encoding',
  'null-byte',
  'traversal',
  'bad-host',
  'odd-method',
  'trace',
  'unknown-method',
  'http10',
  'text-body',
  'deep-json',
  'cross-origin-get',
  'long-query',
  'long-header',
]);

/**
 * Statuses a gateway answers in the application's place (RFC 9110 §15.6.3-5): the service behind it
 * failed to answer, is down or refused the connection, or was silent past the gateway's timeout.
 */
export const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** The route (`GET /orders`) that `answer` shows to exist, or undefined when it shows none. */
export function reachedRoute(probe: HttpProbe, answer: Answer, marker: string): string | undefined {
  const { method, path } = probe.request;
  if (answer.status === 404 || GATEWAY_STATUSES.has(answer.status)) return undefined;
  if (typeof path !== 'string' || path.includes(marker)) return undefined;
  if (probe.malformed === true || BEFORE_ROUTING.has(probe.name)) return undefined;
  return `${method} ${path.split('?')[0]}`;
}

/**
 * Why no route was reached (`named`: the base path and the hints), and how to name them;
 * `gateway`: some answers were 502, 503 or 504 (the service behind a gateway did not answer).
 */
export function httpGap(named: readonly string[], discovery: boolean, gateway = false): string {
  const where = `${named.map((p) => p || '/').join(', ')}${discovery ? ' and to the paths discovery tried' : ''}`;
  if (gateway)
    return `No application route was reached: every request to ${where} was answered 502, 503 or 504 (a gateway's answer when the service behind it is down, refuses connections or is silent), 404, or refused before any route. The application's own errors were not checked. Start the service (or check the gateway's upstream) and probe again.`;
  return `No application route was reached: every request to ${where} was answered 404 (or refused before any route). Only the not-found handler and the server's own checks were exercised. Name the routes: put the API's base path in the URL, or use --path /orders (repeatable) or --openapi <file|url>.`;
}
