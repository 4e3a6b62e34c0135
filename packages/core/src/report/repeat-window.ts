/**
 * Which records are repeats, decided on the response thread without reading stacks: within a
 * window, the first occurrence of each error key (code, reason, and the signature of the value
 * and what it wraps: type, code and message shape) is written in full and gets a handle; later
 * ones are repeats of that handle. The fingerprint itself (the key plus the top stack frames,
 * hashed) is computed where the full record is written. Two different errors never share a key;
 * one error thrown from two call sites may.
 */
import { thrownTypeLabel } from '../captured-internal.js';
import type { Fault } from '../fault.js';
import { errorSignature } from './fingerprint.js';
import { WindowedMap } from './windows.js';

/** What the window says about one fault. */
export interface RepeatVerdict {
  /** Code, reason and signature. */
  readonly key: string;
  /** The handle of the key's first occurrence in the window (this fault's, when it is the first). */
  readonly handle: number;
  /** The request id of the first occurrence, when this fault repeats it. */
  readonly firstId: string | undefined;
}

interface First {
  readonly id: string;
  readonly handle: number;
}

/** First occurrences, remembered for a window (0 disables compaction). */
export class RepeatWindow {
  readonly #firsts: WindowedMap<First>;
  #next = 0;

  constructor(windowMs: number, maxFingerprints: number) {
    this.#firsts = new WindowedMap(windowMs, maxFingerprints);
  }

  /** The fault's key, handle and, if it repeats an earlier one in the window, that one's id. */
  observe(fault: Fault, now: number): RepeatVerdict {
    let key: string;
    try {
      key = `${fault.code}\u0000${fault.internal.reason}\u0000${errorSignature(fault.internal.thrown, thrownTypeLabel(fault.internal))}`;
    } catch {
      key = `${fault.code}\u0000unknown`;
    }
    const first = this.#firsts.get(key, now);
    if (first !== undefined) return { key, handle: first.handle, firstId: first.id };
    this.#next += 1;
    this.#firsts.set(key, { id: fault.id, handle: this.#next }, now);
    return { key, handle: this.#next, firstId: undefined };
  }
}
