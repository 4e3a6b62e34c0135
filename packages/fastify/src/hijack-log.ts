/**
 * Fastify's own report of a handler promise rejecting on a hijacked reply: `wrapThenable` logs
 * `reply.log.error({ err }, 'Promise errored, but reply.sent = true was set')` (the raw message and
 * stack, unredacted, with a logger; nothing without one) and answers nothing. For a route the
 * plugin did not guard (one registered before it), that line is the only place the rejection
 * shows up. At a hijack, and only then, the reply gets a logger of its own in front of its
 * request's: that line goes to the watch instead (answered and recorded once, redacted), and every
 * other call reaches the request's logger as it was.
 */
import type { FastifyReply } from 'fastify';

/** The message of Fastify's line (lib/wrap-thenable.js), unchanged since Fastify 3. */
const PROMISE_ERRORED = 'Promise errored, but reply.sent = true was set';

/** A logger method as pino and Fastify's abstract logger define them. */
export type LogMethod = (this: unknown, ...args: unknown[]) => unknown;

/**
 * For the arguments of a logger's `error` call that are Fastify's "Promise errored" line, the
 * object holding the rejection (`{ err }`); undefined for any other call.
 */
export function rejectionLineError(first: unknown, message: unknown): { err: unknown } | undefined {
  if (message !== PROMISE_ERRORED || typeof first !== 'object' || first === null || !('err' in first)) return undefined;
  return first as { err: unknown };
}

/**
 * Gives `reply` (just hijacked) a logger whose `error` hands Fastify's "Promise errored" line's
 * error to `rejected` instead of logging it; anything else it logs goes to the reply's logger.
 * Leaves a reply whose logger is not an object as it is.
 */
export function catchRejectionLine(reply: FastifyReply, rejected: (error: unknown) => void): void {
  const base = (reply as { log?: unknown }).log;
  if (typeof base !== 'object' || base === null) return;
  const error = (base as { error?: unknown }).error;
  if (typeof error !== 'function') return;
  const log = Object.create(base, {
    error: {
      configurable: true,
      writable: true,
      value: function errorOrRejection(this: unknown, ...args: unknown[]): unknown {
        const line = rejectionLineError(args[0], args[1]);
        if (line !== undefined) {
          rejected(line.err);
          return undefined;
        }
        return (error as LogMethod).apply(this, args);
      },
    },
  }) as unknown;
  (reply as { log: unknown }).log = log;
}
