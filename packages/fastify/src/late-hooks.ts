/**
 * Hooks whose failures never reach an error handler: `onResponse` (the answer has left),
 * `onRequestAbort` (the client is gone), `onTimeout` (the socket timed out) and `onError` (an
 * error is being answered already). What such a hook throws, rejects with or passes to `done`,
 * Fastify either logs itself, raw ("request errored", "onRequestAborted hook failed": the message
 * and stack, unredacted, with `logger: true`), or drops without a trace (`onTimeout`, `onError`,
 * and every one of them with no logger): Faultline never recorded it. Guarded, such a hook's
 * failure is recorded under the request's id (redacted, as any fault), and Fastify sees the hook
 * succeed, so the hooks after it still run. Only these hooks are wrapped (an application without
 * them pays nothing); each call of one costs a wrapper call and three closures, plus one `then`
 * on the promise it returns (and, for an async hook, the async wrapper's own promise).
 */

import { types } from 'node:util';
import type { FastifyRequest } from 'fastify';

/** What a guarded hook calls with its failure (the request is always the hook's first argument). */
export type HookFaultRecorder = (error: unknown, request: FastifyRequest) => void;

/** Position of `done` in each guarded hook's arguments. */
const DONE_AT: Readonly<Record<string, number>> = { onResponse: 2, onTimeout: 2, onError: 3, onRequestAbort: 1 };

/** The names of the hooks this module guards. */
export const LATE_HOOKS = Object.keys(DONE_AT);

/** True for the names of the hooks this module guards. */
export function isLateHook(name: string): boolean {
  return Object.hasOwn(DONE_AT, name);
}

/** Functions this module made, so a hook seen twice is wrapped once. */
const guarded = new WeakSet<object>();

/** A hook as Fastify calls it. */
type Hook = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The `name` hook `original` wrapped: its failure (a synchronous throw, a rejection, or an error
 * passed to `done`) goes to `record` with the request, and Fastify sees the hook succeed, once: a
 * hook that both calls `done` and returns a promise (which Fastify would follow twice) lets
 * Fastify go on at whichever comes first, and its other outcome is only recorded if it failed.
 * An async hook gets an async wrapper of the same arity, so Fastify's registration checks (an
 * async hook must not declare `done`) still apply as they did.
 */
export function guardLateHook<F>(name: string, original: F, record: HookFaultRecorder): F {
  if (typeof original !== 'function' || guarded.has(original) || !isLateHook(name)) return original;
  const hook = original as unknown as Hook;
  const doneAt = DONE_AT[name] as number;

  /** Runs the hook; returns what Fastify waits on, or undefined once `done` let Fastify go on. */
  function run(self: unknown, args: unknown[]): unknown {
    const request = args[0] as FastifyRequest;
    const done = args[doneAt] as ((error?: unknown) => void) | undefined;
    let settled = false;
    const recordFailure = (error: unknown) => {
      try {
        record(error, request);
      } catch {
        // recording never fails the request's hooks
      }
    };
    const goOn = () => {
      if (settled) return;
      settled = true;
      done?.();
    };
    if (typeof done === 'function') {
      args[doneAt] = (error?: unknown) => {
        if (error !== undefined && error !== null) recordFailure(error);
        goOn();
      };
    }
    let result: unknown;
    try {
      result = hook.apply(self, args);
    } catch (error) {
      // Fastify would stop the chain here with the error: go on instead.
      recordFailure(error);
      goOn();
      return undefined;
    }
    try {
      if (!isThenable(result)) return result;
      const observed = Promise.resolve(result).then(undefined, recordFailure);
      if (settled) return undefined; // `done` ran already: Fastify goes on once
      settled = true; // the promise decides: a later `done` only records
      return observed;
    } catch (error) {
      // A promise-like whose `then` or `constructor` throws when read (Fastify would throw there too).
      recordFailure(error);
      goOn();
      return undefined;
    }
  }

  let wrapped: Hook;
  if (types.isAsyncFunction(hook)) {
    wrapped = async function guardedLateHook(this: unknown, ...args: unknown[]): Promise<unknown> {
      const waited = run(this, args);
      // `done` let Fastify go on already: this promise must not let it go on a second time.
      return waited === undefined ? new Promise(() => {}) : waited;
    };
    Object.defineProperty(wrapped, 'length', { value: hook.length });
  } else {
    wrapped = function guardedLateHook(this: unknown, ...args: unknown[]): unknown {
      return run(this, args);
    };
  }
  guarded.add(wrapped);
  return wrapped as unknown as F;
}

/** True for a value Fastify's hook runners wait on (their own test, which may run a getter). */
function isThenable(value: unknown): boolean {
  if (typeof value !== 'object' && typeof value !== 'function') return false;
  return value !== null && typeof (value as { then?: unknown }).then === 'function';
}
