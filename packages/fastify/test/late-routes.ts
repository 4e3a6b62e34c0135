/**
 * Routes that fail after their answer was sent, for late-after-send.test.ts (a server with a
 * logger) and late-after-send-nolog.test.ts (one without): the client's answer must stay whole,
 * the failure recorded once under the id the client saw, redacted, and never logged raw.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** What every failure carries: a URL password, a JWT and a DB password must never be written. */
export const LATE_SECRETS = ['hunter2', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl', 's3cr3tpw'];

/** A failure with every secret in its message. */
export function lateFailure(where: string): Error {
  return new Error(
    `late ${where} postgres://app:hunter2@db.internal/shop token=${LATE_SECRETS[1]} password=${LATE_SECRETS[2]}`,
  );
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const ANSWER = { ok: true };

/** Route name → handler; each sends `{"ok":true}` (200) and then fails. */
export const LATE_ROUTES: Record<string, (request: unknown, reply: FastifyReply) => unknown> = {
  // A sync throw: Fastify only warns "Reply was already sent".
  'sync-throw': (_request, reply) => {
    reply.send(ANSWER);
    throw lateFailure('sync-throw');
  },
  // Rejects at once, the reply sent when the handler returned.
  'async-now': async (_request, reply) => {
    reply.send(ANSWER);
    throw lateFailure('async-now');
  },
  // "Reply 202 and keep working": rejects after an await.
  'async-later': async (_request, reply) => {
    reply.send(ANSWER);
    await tick();
    throw lateFailure('async-later');
  },
  // Returns `reply`, as Fastify advises, then keeps working and fails.
  'async-return-reply': (_request, reply) => {
    reply.send(ANSWER);
    return tick().then(() => {
      throw lateFailure('async-return-reply');
    });
  },
};

/** A preHandler hook that answers, then fails after an await (Fastify's hook runner drops it). */
export function addHookRoute(app: FastifyInstance): void {
  app.get(
    '/late/hook-later',
    {
      preHandler: async (_request, reply) => {
        reply.send(ANSWER);
        await tick();
        throw lateFailure('hook-later');
      },
    },
    () => ({ never: true }),
  );
}

/** Routes that send only after an await (the reply is not sent when the handler returns). */
export const LATE_AFTER_AWAIT: Record<string, (request: unknown, reply: FastifyReply) => unknown> = {
  'await-send-throw': async (_request, reply) => {
    await tick();
    reply.send(ANSWER);
    throw lateFailure('await-send-throw');
  },
};

/** A streamed body, then a throw while it is still flowing: Fastify's error path as before. */
export function addStreamRoute(app: FastifyInstance): void {
  app.get('/late/stream-throw', (_request, reply) => {
    reply.send(Readable.from(['o', 'k']));
    throw lateFailure('stream-throw');
  });
}

/** Adds `routes` under `/late/<name>`. */
export function addLateRoutes(app: FastifyInstance, routes: typeof LATE_ROUTES): void {
  for (const [name, handler] of Object.entries(routes)) app.get(`/late/${name}`, handler as never);
}
