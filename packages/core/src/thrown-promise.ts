/**
 * A thrown promise. A handler may throw (or reject with) a promise that itself rejects: nothing
 * else holds it, so its rejection would reach `unhandledRejection` and, by Node's default, end
 * the process, when the fault it is part of is answered and recorded as the thrown value.
 */
import { types } from 'node:util';

/** The intrinsic `then`: never the value's own (a subclass's or a Proxy's). */
const then = Promise.prototype.then;

/** The rejection handler of a thrown promise: its fault is the thrown value itself. */
function ignoreRejection(): void {
  // Answered and recorded as the thrown value.
}

/**
 * Marks `thrown` handled when it is a native promise, so its own rejection does not end the
 * process. Reads nothing of the value (no trap of a Proxy runs); never throws; any other value is
 * left untouched.
 */
export function defuseThrownPromise(thrown: unknown): void {
  if (!types.isPromise(thrown)) return;
  try {
    then.call(thrown, undefined, ignoreRejection);
  } catch {
    // A subclass whose species constructor throws: nothing more can be done for it.
  }
}
