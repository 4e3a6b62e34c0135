/**
 * What handlers hand back and throw, settled safely. A handler (or an upgrade check) may return
 * any thenable, and one that is not a promise may call back more than once, or both ways: the
 * adapter would then answer twice (a second error frame for one failure, or an HTTP refusal
 * written into the WebSocket stream after the 101). And a handler may throw a promise that
 * rejects: nothing else holds it, so its rejection would reach `unhandledRejection` and, by
 * default, end the process, when the fault it is part of was already answered and recorded.
 */
import { types } from 'node:util';

/** The intrinsic `then`: never a thenable's own, so each callback runs at most once. */
const then = Promise.prototype.then;

/** The rejection handler of a thrown promise: its fault is recorded where it was thrown. */
function ignoreRejection(): void {
  // Answered and recorded as the thrown value itself.
}

/**
 * Calls `onFulfilled` or `onRejected` (never both, never twice) once `result` settles. A native
 * promise is followed as it is (no allocation); any other thenable is adopted by one, so a
 * `then` that calls back twice, or throws, settles it once.
 */
export function settleOnce(
  result: PromiseLike<unknown>,
  onFulfilled: ((value: unknown) => unknown) | undefined,
  onRejected: (reason: unknown) => unknown,
): void {
  then.call(types.isPromise(result) ? result : Promise.resolve(result), onFulfilled, onRejected);
}

/**
 * Marks `thrown` handled when it is a native promise (a handler threw or rejected with one), so
 * its own rejection does not end the process: the thrown value is the fault, answered and
 * recorded. Never throws; any other value is left untouched.
 */
export function defuseThrownPromise(thrown: unknown): void {
  if (!types.isPromise(thrown)) return;
  try {
    then.call(thrown, undefined, ignoreRejection);
  } catch {
    // A subclass whose species constructor throws: nothing more can be done for it.
  }
}
