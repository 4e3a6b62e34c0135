/**
 * What handlers hand back and throw, settled safely. A handler (or an upgrade check) may return
 * any thenable, and one that is not a promise may call back more than once, or both ways: the
 * adapter would then answer twice (a second error frame for one failure, or an HTTP refusal
 * written into the WebSocket stream after the 101). (A thrown promise that rejects is marked
 * handled by core's `capture`, for every adapter.)
 */
import { types } from 'node:util';

/** The intrinsic `then`: never a thenable's own, so each callback runs at most once. */
const then = Promise.prototype.then;

/**
 * Calls `onFulfilled` or `onRejected` (never both, never twice) once `result` settles. A native
 * promise is followed as it is (no allocation besides the promise `then` returns); any other
 * thenable is adopted by one, so a `then` that calls back twice, or throws, settles it once.
 * Returns that promise, settled once the callback returned (rejected only if it throws).
 */
export function settleOnce(
  result: PromiseLike<unknown>,
  onFulfilled: ((value: unknown) => unknown) | undefined,
  onRejected: (reason: unknown) => unknown,
): Promise<unknown> {
  return then.call(
    types.isPromise(result) ? result : Promise.resolve(result),
    onFulfilled,
    onRejected,
  ) as Promise<unknown>;
}

/** A fulfilment callback that drops the value: a promise `then`-ed with it fulfils with nothing. */
export const nothing = (): undefined => undefined;
