/**
 * `onSend` and `preSerialization` hooks that throw a falsy value synchronously (`throw null`).
 * Fastify's runner for them hands what a hook threw to its callback, which tests it with
 * `err != null`: a thrown `null` or `undefined` passed for success with no payload, so the answer
 * went out with an empty body (a 200 without its payload, or Faultline's error answer without its
 * problem JSON), and nothing was recorded. Guarded, such a value reaches Fastify inside a carrier
 * (an `Error`, thrown-carrier.ts): the request fails, Faultline answers and records the value
 * itself. An async hook is left as it is (Fastify turns a falsy rejection into an error already);
 * a callback's `done(null)` is a success. (A hostile thenable such a hook returns needs nothing:
 * Fastify's callers of this runner catch what it throws.) Cost: a wrapper call per call of a
 * non-async hook.
 */
import { types } from 'node:util';
import { carryThrown } from '@faultline/core/adapter';

/** The hook kinds guarded here. */
export const SEND_HOOKS = ['onSend', 'preSerialization'];

/** Hooks this module made, so one seen twice is wrapped once. */
const guarded = new WeakSet<object>();

/** A hook as Fastify calls it: `(request, reply, payload, done)`. */
type Hook = (this: unknown, request: unknown, reply: unknown, payload: unknown, done: unknown) => unknown;

/** True for the names of the hook kinds guarded here. */
export function isSendHook(name: string): boolean {
  return name === 'onSend' || name === 'preSerialization';
}

/** `original` wrapped so that a falsy value it throws synchronously fails the request. */
export function guardSendHook<F>(original: F): F {
  if (typeof original !== 'function' || guarded.has(original) || types.isAsyncFunction(original)) return original;
  const hook = original as unknown as Hook;
  const wrapped = function guardedSendHook(this: unknown, request: unknown, reply: unknown, payload, done) {
    try {
      return hook.call(this, request, reply, payload, done);
    } catch (error) {
      throw error ? error : carryThrown(error, 'a hook');
    }
  } as Hook;
  Object.defineProperty(wrapped, 'length', { value: hook.length });
  guarded.add(wrapped);
  return wrapped as unknown as F;
}
