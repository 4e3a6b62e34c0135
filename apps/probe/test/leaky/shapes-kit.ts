/**
 * What the red-team shapes target's routes share: a route's type, the clean answer, a Node.js stack
 * of a route's own, and a count of requests by key.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Planted } from './planted.js';

/** A request of either server. */
export type Request = IncomingMessage | Http2ServerRequest;
/** An answer of either server. */
export type Response = ServerResponse | Http2ServerResponse;

/** One leaky route: what must report it, and its answer (false: answer cleanly). */
export interface Route extends Planted {
  /** The probe missed it before this target was written. */
  readonly missedBefore?: true;
  /** The leak is not there over HTTP/2 (the probe sends no Host field there). */
  readonly h1Only?: true;
  readonly answer: (req: Request, res: Response, body: string) => boolean;
}

/** The fields of a clean error answer. */
export const clean = (): OutgoingHttpHeaders => ({
  'content-type': 'application/problem+json',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-request-id': crypto.randomUUID(),
});
/** A clean error body. */
export const CLEAN_BODY = '{"type":"about:blank","title":"Bad Request","status":400}';
/** Answers `status` with the clean fields, `fields` added, and `body`; true. */
export const send = (res: Response, fields: OutgoingHttpHeaders, body: string | Buffer = CLEAN_BODY, status = 500) => {
  res.writeHead(status, { ...clean(), ...fields });
  res.end(body);
  return true;
};
/** Writes `chunk` of a body (both servers' `write`, whose union TypeScript cannot call). */
export const write = (res: Response, chunk: string) => (res as { write(chunk: string): boolean }).write(chunk);
/** A Node.js stack whose frame names `where` (each route's text is its own). */
export const stack = (where: string) =>
  `TypeError: x is undefined\n    at handler (/srv/api/src/routes${where}.js:41:13)`;
/** Requests seen by key (a path's second request, a create's second time). */
const seen = new Map<string, number>();
/** Counts one request under `key`; how many there were. */
export const count = (key: string) => {
  const n = (seen.get(key) ?? 0) + 1;
  seen.set(key, n);
  return n;
};
/** Forgets every count (a new target). */
export const resetCounts = () => seen.clear();
