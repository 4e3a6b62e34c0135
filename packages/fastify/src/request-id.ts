/**
 * Request ids: Fastify's `genReqId` keeps an incoming `X-Request-ID` only when it is a UUID, else
 * makes a UUID v4, so the id in Fastify's logs is the correlation id clients see. The id it just
 * issued is remembered, so the plugin's `onRequest` hook (which Fastify runs synchronously right
 * after `genReqId` for the same request) knows it is a valid UUID without testing it again.
 */
import type { IncomingMessage } from 'node:http';
import { isUuid, resolveCorrelationId } from '@faultline/core';

/** The header a correlation id is read from and written to. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The last id {@link genReqId} returned: a UUID by construction. */
let lastIssued: string | undefined;

/**
 * Fastify's `genReqId`: the incoming `X-Request-ID` when it is a UUID, else a new UUID v4, so the
 * request id in Fastify's logs is the correlation id clients see.
 */
export function genReqId(req: Pick<IncomingMessage, 'headers'>): string {
  const id = resolveCorrelationId(req.headers[REQUEST_ID_HEADER]).id;
  lastIssued = id;
  return id;
}

/**
 * True when `id` is a UUID: either the id {@link genReqId} last issued (no second test on the
 * hot path) or one that passes the check (an application's own `genReqId` may return anything).
 */
export function isValidRequestId(id: unknown): id is string {
  return (id === lastIssued && id !== undefined) || isUuid(id);
}
