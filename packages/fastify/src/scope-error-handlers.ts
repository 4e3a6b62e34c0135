/**
 * The application's own error handlers (a scope's `setErrorHandler`, a route's `errorHandler`),
 * guarded so that handing an error back to Faultline never sends it as a payload. Fastify passes
 * such a handler whatever was thrown, and treats what the handler then throws, or passes to
 * `reply.send`, as an error only when it is an `Error`: a thrown string, number, plain object or
 * array rethrown (the usual "not mine, pass it on") or handed back with `reply.send(error)` (what
 * Faultline's bypass warning advises) went out as a 200 payload, SQL text and secrets included.
 * The guarded handler gets any value that is not a native `Error` inside a carrier (an `Error`,
 * thrown-carrier.ts), and what it throws is carried the same way, so both ways back reach the
 * parent scope's handler, Faultline's, which answers and records the value itself.
 */
import { types } from 'node:util';
import { carryThrown } from '@faultline/core/adapter';
import { closeHijackWatch } from './hijack-watch.js';

/** An error handler as Fastify calls it. */
type ErrorHandler = (this: unknown, error: unknown, request: unknown, reply: unknown) => unknown;

/** Handlers this module made, so one seen twice is wrapped once. */
const guarded = new WeakSet<object>();

/**
 * True for an `Error` Fastify takes as an error (`instanceof Error`) without running any of its
 * code. A native error whose prototype was swapped (`Object.assign(error, JSON.parse(body))` with a
 * `__proto__` key sets it) is not `instanceof Error`: Fastify sent it as a 200 payload.
 */
function fastifyError(value: unknown): boolean {
  if (!types.isNativeError(value) || types.isProxy(value)) return false;
  try {
    for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
      if (types.isProxy(proto)) return false;
      if (proto === Error.prototype) return true;
    }
  } catch {}
  return false;
}

/** `value` when Fastify treats it as an error without running any of its code, else a carrier for it. */
function asError(value: unknown): unknown {
  return fastifyError(value) ? value : carryThrown(value, 'an error handler');
}

/** True for a handler {@link guardErrorHandler} made, or the bound copy Fastify keeps of one set on a scope. */
export function isGuardedErrorHandler(handler: unknown): boolean {
  return typeof handler === 'function' && guarded.has(handler);
}

/** `handler` wrapped: it gets, and throws, only values Fastify handles as errors. */
export function guardErrorHandler<F>(handler: F): F {
  if (typeof handler !== 'function' || guarded.has(handler)) return handler;
  const original = handler as unknown as ErrorHandler;
  const wrapped = function guardedErrorHandler(this: unknown, error: unknown, request: unknown, reply: unknown) {
    // The error path has the reply now: a `hijack` in this handler is not the route handler's.
    closeHijackWatch(reply);
    try {
      return original.call(this, asError(error), request, reply);
    } catch (thrown) {
      throw asError(thrown);
    }
  };
  guarded.add(wrapped);
  return wrapped as unknown as F;
}

/**
 * Error handlers set with `setErrorHandler` from now on, on `app` and the scopes it encloses,
 * are guarded (Faultline's own handler is set before this runs, and stays as it is).
 */
export function guardScopeErrorHandlers(app: object): void {
  const target = app as { setErrorHandler: (this: unknown, handler: unknown) => unknown };
  const setErrorHandler = target.setErrorHandler;
  target.setErrorHandler = function setGuardedErrorHandler(this: unknown, handler: unknown) {
    const result = setErrorHandler.call(this, guardErrorHandler(handler));
    // Fastify keeps a bound copy: marked too, so the late look at route handlers (early-error-handlers.ts) knows it.
    const bound = (this as { errorHandler?: unknown }).errorHandler;
    if (typeof bound === 'function') guarded.add(bound);
    return result;
  };
}
