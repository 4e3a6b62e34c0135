/**
 * What a hook returns, made safe for Fastify's hook runners to read. The runners test the result
 * with `result && typeof result.then === 'function'` and call `result.then(...)` outside any
 * `try`: a Proxy, a throwing `then` getter or a `then` that throws when called made that code
 * throw out of Fastify's request handling, an uncaught exception (the process's
 * `uncaughtException`, or a crash), and the request was never answered. A native promise (what
 * an async hook returns) and `undefined` (a callback hook) pass with two tests.
 */
import { types } from 'node:util';
import { carryThrown } from '@faultline/core/adapter';

/**
 * `result` as Fastify may read it: a native promise or a primitive as it is; a thenable as a
 * native promise that follows it; any other object as undefined (Fastify ignores it and waits for
 * `done`). Its `then` is read once, here; if reading it throws, that is thrown (carried: a value
 * Fastify reads safely), for the runner's `try` around the hook call to take as the hook's failure;
 * if calling it throws, the promise rejects with that.
 */
export function adoptReturned(result: unknown): unknown {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function') || types.isPromise(result)) {
    return result;
  }
  let then: unknown;
  try {
    then = (result as { then?: unknown }).then;
  } catch (error) {
    throw carryThrown(error, 'a hook');
  }
  if (typeof then !== 'function') return undefined;
  return new Promise((resolve, reject) => {
    try {
      then.call(result, resolve, reject);
    } catch (error) {
      reject(error ? error : carryThrown(error, 'a hook'));
    }
  });
}
