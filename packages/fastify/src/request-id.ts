/**
 * Request ids: Fastify's `genReqId` keeps an incoming `X-Request-ID` only when the id policy
 * accepts it (by default a UUID v4, from any peer; see `RequestIdOptions`), else makes a UUID v4,
 * so the id in Fastify's logs is the correlation id clients see. A refused value is remembered
 * for the request's fault record. The id it just issued is remembered too, so the plugin's
 * `onRequest` hook (which Fastify runs synchronously right after `genReqId` for the same request)
 * knows it is valid without testing it again.
 */
import type { IncomingMessage } from 'node:http';
import {
  DEFAULT_ID_POLICY,
  isAcceptedId,
  newCorrelationId,
  type RequestIdPolicy,
  rememberActiveSpan,
  resolveCorrelationId,
} from '@faultline/core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { replyHeaderTable } from './reply-headers.js';

/** The header a correlation id is read from and written to. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The last id a Faultline `genReqId` returned: valid by construction. */
let lastIssued: string | undefined;

/** Incoming ids refused by `genReqId`, escaped for the log, by raw request. */
const refused = new WeakMap<object, string>();

/** The escaped incoming id `genReqId` refused for this raw request, if any. */
export function refusedRequestId(raw: object): string | undefined {
  return refused.get(raw);
}

/** A Fastify `genReqId` applying `policy` (the peer is the socket's remote address). */
export function requestIdGenerator(
  policy: RequestIdPolicy = DEFAULT_ID_POLICY,
): (req: Pick<IncomingMessage, 'headers' | 'socket'>) => string {
  return (req) => {
    // The request's own span, for faults answered under another span (request-span.ts).
    rememberActiveSpan(req);
    const incoming = req.headers[REQUEST_ID_HEADER];
    // No incoming id (most requests): a new one, without the resolution's result object.
    if (incoming === undefined) {
      lastIssued = newCorrelationId();
      return lastIssued;
    }
    const resolved = resolveCorrelationId(incoming, policy, req.socket?.remoteAddress);
    if (resolved.rejected !== undefined) refused.set(req, resolved.rejected);
    lastIssued = resolved.id;
    return resolved.id;
  };
}

/**
 * Fastify's `genReqId` with the default policy: the incoming `X-Request-ID` when it is a UUID v4,
 * else a new UUID v4.
 */
export const genReqId: (req: Pick<IncomingMessage, 'headers' | 'socket'>) => string = requestIdGenerator();

/**
 * True when `id` is a valid correlation id: either the id a Faultline `genReqId` last issued (no
 * second test on the hot path) or a UUID v4 (an application's own `genReqId` may return anything).
 */
export function isValidRequestId(id: unknown): id is string {
  return (id === lastIssued && id !== undefined) || isAcceptedId(id);
}

/**
 * Gives `reply` the `X-Request-ID` header when it has none yet (an error answer sets its own) and
 * `request.id` is a valid correlation id: every answer carries the id, success ones too.
 */
export function stampRequestId(request: FastifyRequest, reply: FastifyReply): void {
  const table = replyHeaderTable(reply);
  const present = table === undefined ? reply.hasHeader(REQUEST_ID_HEADER) : table[REQUEST_ID_HEADER] !== undefined;
  if (present || !isValidRequestId(request.id)) return;
  if (table === undefined) reply.header(REQUEST_ID_HEADER, request.id);
  else table[REQUEST_ID_HEADER] = request.id;
}
