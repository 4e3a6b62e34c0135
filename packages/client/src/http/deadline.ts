/**
 * The end of an HTTP body read: a time bound and the caller's `AbortSignal`, whichever comes
 * first. A server that stalls or trickles its body must not hold the caller (or the socket).
 */

/** What {@link Deadline.race} resolves with once the deadline is reached: the read must stop. */
export const STOPPED: unique symbol = Symbol('stopped');

/** The longest delay a timer takes (a longer one fires at once in Node and browsers). */
const LONGEST_TIMER = 2 ** 31 - 1;

/** A pending end of a read; {@link Deadline.clear} releases its timer and listener once the read is over. */
export interface Deadline {
  /** True once the time is up or the signal aborted. */
  readonly passed: () => boolean;
  /**
   * `work`'s outcome, or {@link STOPPED} once the time is up or the signal aborts first. Nothing
   * outlives the call (`Promise.race` against one long-lived promise leaves a reaction on it per
   * call: a body read in a quarter of a million one-byte chunks held about 150 MB until the read
   * ended). One race at a time: a read is sequential.
   */
  race<T>(work: Promise<T>): Promise<T | typeof STOPPED>;
  /** Clears the timer and the signal listener (call it when the read is over). */
  clear(): void;
}

/** True when `signal` is an aborted `AbortSignal`-like object; a signal that cannot be read counts as aborted. */
function isAborted(signal: AbortSignal): boolean {
  try {
    return signal.aborted === true;
  } catch {
    return true;
  }
}

/**
 * A deadline `timeoutMs` milliseconds from now (none for `Infinity`), also reached when `signal`
 * aborts (at once when it already has). Never throws: a signal whose listener cannot be added is
 * only read as aborted or not.
 */
export function deadline(timeoutMs: number, signal?: AbortSignal): Deadline {
  let passed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The pending race's way to end with STOPPED, if one is pending. */
  let waiter: ((stopped: typeof STOPPED) => void) | undefined;
  const stop = () => {
    passed = true;
    waiter?.(STOPPED);
    waiter = undefined;
  };
  const onAbort = () => stop();
  if (signal !== undefined && isAborted(signal)) stop();
  else {
    if (timeoutMs !== Number.POSITIVE_INFINITY) timer = setTimeout(stop, Math.min(timeoutMs, LONGEST_TIMER));
    try {
      signal?.addEventListener('abort', onAbort, { once: true });
    } catch {
      // not an EventTarget: only the time bound applies
    }
  }
  return {
    passed: () => passed,
    race<T>(work: Promise<T>): Promise<T | typeof STOPPED> {
      if (passed) return Promise.resolve(STOPPED);
      return new Promise<T | typeof STOPPED>((resolve, reject) => {
        const settle = () => {
          if (waiter === resolve) waiter = undefined;
        };
        waiter = resolve;
        Promise.resolve(work).then(
          (value) => {
            settle();
            resolve(value);
          },
          (error: unknown) => {
            settle();
            reject(error);
          },
        );
      });
    },
    clear() {
      if (timer !== undefined) clearTimeout(timer);
      try {
        signal?.removeEventListener('abort', onAbort);
      } catch {
        // not an EventTarget
      }
    },
  };
}
