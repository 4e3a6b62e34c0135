/**
 * Route handlers and hooks, guarded so that Fastify never reads a thrown value it cannot read
 * safely. With a subscriber on Fastify's `tracing:fastify.request.handler` channels (Sentry's
 * Fastify integration, diagnostics tools), Fastify 5 reads `statusCode` and `status` of what a
 * handler or preHandler hook threw, and compares them with numbers, before any error handler
 * runs. A Proxy, a getter, or a symbol or object there can make that code throw: an async
 * handler's request then never gets an answer, and the rejection is unhandled. Such a value is
 * handed to Fastify inside a carrier instead (thrown-carrier.ts), which `captureFor` opens, so the
 * answer and the record are those of the value itself. Values Fastify reads safely pass as they
 * are. Without a subscriber nothing of Fastify's reads the value before the error handler: the
 * guards then only call the original.
 */

import { tracingChannel } from 'node:diagnostics_channel';
import { types } from 'node:util';
import { carryThrown, chainDescriptor } from '@faultline/core/adapter';
import type { FastifyReply } from 'fastify';
import { replyIsErrorSymbol } from './fastify-symbols.js';
import { answeredHijackedThrow, answeredHookFailure, type HijackedFault, noteHandlerResult } from './hijack-watch.js';

const handlerChannels = tracingChannel('fastify.request.handler');

/**
 * Functions this module made, so a handler seen twice (HEAD routes, or once more at the first
 * request of a route: early-handlers.ts) is wrapped once; and the copies Fastify bound of them.
 */
const guarded = new WeakSet<object>();

/**
 * `wrapped`'s bound copies count as guarded too: Fastify calls a route's handler as
 * `routeOptions.handler.bind(scope)` (lib/route.js), and that copy is what a route context holds.
 */
function markBoundCopies(wrapped: object): void {
  Object.defineProperty(wrapped, 'bind', {
    value: function bindGuarded(this: (...args: unknown[]) => unknown, ...args: unknown[]) {
      const bound = Function.prototype.bind.apply(this, args as [unknown, ...unknown[]]) as object;
      guarded.add(bound);
      return bound;
    },
    configurable: true,
    writable: true,
  });
}

/** True for a value Fastify compares with numbers without running any code of the value's. */
function harmless(value: unknown): boolean {
  const type = typeof value;
  return value === null || (type !== 'object' && type !== 'function' && type !== 'symbol');
}

/** True when reading `key` of `target` runs no code and yields a {@link harmless} value. */
function plainField(target: object, key: string): boolean {
  const descriptor = chainDescriptor(target, key);
  if (descriptor === null) return false;
  return descriptor === undefined || ('value' in descriptor && harmless(descriptor.value));
}

/** True for a thrown value Fastify can read `statusCode` and `status` of without running its code. */
function readsSafely(value: unknown): boolean {
  if (typeof value !== 'object' && typeof value !== 'function') return true;
  if (value === null) return true;
  return plainField(value, 'statusCode') && plainField(value, 'status');
}

/** `value`, or a carrier for it when Fastify cannot read it safely. */
function readableThrow(value: unknown): unknown {
  return readsSafely(value) ? value : carryThrown(value, 'Fastify');
}

function rethrowReadable(error: unknown): never {
  throw readableThrow(error);
}

/**
 * With a subscriber on Fastify's handler channels, a returned promise whose rejection reaches
 * Fastify as a value Fastify reads safely; otherwise `result` itself. Only native promises (what
 * an async function returns) are chained, with `Promise.prototype.then`: any other thenable, such
 * as a `reply` returned from a handler, passes as it is.
 */
function readableResult(result: unknown): unknown {
  if (!handlerChannels.hasSubscribers || !types.isPromise(result)) return result;
  return Promise.prototype.then.call(result, undefined, rethrowReadable);
}

/** The handler called as it is, only made readable for a subscriber (the early routes' path without a watch). */
function plainCall(scope: unknown, handler: Handler, request: unknown, reply: unknown): unknown {
  if (!handlerChannels.hasSubscribers) return handler.call(scope, request, reply);
  let result: unknown;
  try {
    result = handler.call(scope, request, reply);
  } catch (error) {
    throw readableThrow(error);
  }
  return readableResult(result);
}

/**
 * Hands `error` to `reply.send` marked as thrown, as Fastify's own catch around a handler does
 * without a subscriber on its handler channels; false where the mark is not found.
 */
function sentAsThrown(reply: FastifyReply, error: unknown): boolean {
  const isError = replyIsErrorSymbol(reply);
  if (isError === null) return false;
  (reply as unknown as Record<symbol, unknown>)[isError] = true;
  reply.send(error);
  return true;
}

/** A route handler as Fastify calls it. */
type Handler = (this: unknown, request: unknown, reply: unknown) => unknown;

/** A preHandler hook as Fastify calls it: async (two arguments) or with a callback (three). */
type Hook = (this: unknown, request: unknown, reply: unknown, done?: (error?: unknown) => void) => unknown;

/** Any function Fastify calls with a request and a reply (its own types are narrower than {@link Handler}). */
type FastifyCallable = (this: never, request: never, reply: never, done: never) => unknown;

/**
 * Answers a request instead of its handler (a closing server's 503) and returns true, or returns
 * false to let the handler run.
 */
export type HandlerGate = (request: never, reply: never) => boolean;

/**
 * `handler` wrapped: what it throws, or (with a subscriber on Fastify's handler channels) what
 * the promise it returns rejects with, reaches Fastify as a value Fastify reads safely. `gate`,
 * when given, runs first and may answer in the handler's place. With `hijacked`, a failure after
 * the handler called `reply.hijack()` (which Fastify leaves unanswered) goes to `hijacked`
 * instead (hijack-watch.ts): the handler's result is noted on the reply for that; so does one
 * after its reply was sent (Fastify only warns "already sent" for a throw, and logs a rejection
 * raw): a throw is caught here, a promise returned on a sent reply is watched (hijack-watch.ts).
 * A try without a throw costs nothing; a throw on an unsent reply goes to `reply.send` as
 * Fastify's catch would send it (no rethrow).
 */
export function guardHandler<F extends FastifyCallable>(original: F, gate?: HandlerGate, hijacked?: HijackedFault): F {
  if (guarded.has(original)) return original;
  const handler = original as unknown as Handler;
  const admit = gate as ((request: unknown, reply: unknown) => boolean) | undefined;
  const wrapped = function guardedHandler(this: unknown, request: unknown, reply: unknown): unknown {
    if (admit?.(request, reply) === true) return undefined;
    if (hijacked === undefined) return plainCall(this, handler, request, reply);
    const r = reply as FastifyReply;
    let result: unknown;
    try {
      result = handler.call(this, request, reply);
    } catch (error) {
      // After `reply.send` (or `reply.hijack()`), Fastify would only warn "already sent": recorded.
      if (answeredHijackedThrow(r, error, hijacked) || answeredHookFailure(r, error, hijacked)) return undefined;
      if (handlerChannels.hasSubscribers) throw readableThrow(error);
      // What Fastify's catch does with it (lib/handle-request.js), without a second throw (V8
      // walks the stack again for each: 11% more instructions per error answer, callgrind).
      if (sentAsThrown(r, error)) return undefined;
      throw error;
    }
    noteHandlerResult(r, result, hijacked);
    return readableResult(result);
  } as unknown as F;
  guarded.add(wrapped);
  markBoundCopies(wrapped);
  return wrapped;
}

/**
 * A preHandler `hook` wrapped the same way. An async hook gets the handler's wrapper, except one
 * declaring `done` (Fastify refuses it at registration: it stays as it is, so Fastify still does);
 * any other hook gets a three-argument one that passes `done` on, through the same check while a
 * subscriber is present, and guards a promise it may return as well.
 */
export function guardHook<F extends FastifyCallable>(original: F): F {
  if (guarded.has(original)) return original;
  const hook = original as unknown as Hook;
  // An async hook takes (request, reply), as a handler does: the same wrapper.
  if (types.isAsyncFunction(hook)) return hook.length >= 3 ? original : guardHandler(original);
  const wrapped = function guardedHook(this: unknown, request: unknown, reply: unknown, done: (e?: unknown) => void) {
    if (!handlerChannels.hasSubscribers) return hook.call(this, request, reply, done);
    const next = (error?: unknown) => done(error === undefined || error === null ? error : readableThrow(error));
    let result: unknown;
    try {
      result = hook.call(this, request, reply, next);
    } catch (error) {
      throw readableThrow(error);
    }
    return readableResult(result);
  } as unknown as F;
  guarded.add(wrapped);
  return wrapped;
}
