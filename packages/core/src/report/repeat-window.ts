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
import { errorSignature, joinSignature, signatureParts } from './fingerprint.js';
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

/** A window key: code, reason and error signature. */
function keyFrom(code: string, reason: string, signature: string): string {
  return `${code}\u0000${reason}\u0000${signature}`;
}

interface First {
  readonly id: string;
  readonly handle: number;
}

/** First occurrences, remembered for a window (0 disables compaction). */
export class RepeatWindow {
  readonly #firsts: WindowedMap<First>;
  #next = 0;
  /**
   * The last key made and what it was made of: a storm's next fault has the same parts (strings
   * compared one by one, mostly the very same strings), and then the same key string is used
   * again, with no string built, flattened or compared by content (about 1.5k instructions per
   * repeat, callgrind). `#parts` is filled for each fault; the two arrays swap when a key is made.
   */
  #parts: (string | null)[] = [];
  #lastParts: (string | null)[] = [];
  #lastCount = -1;
  #lastCode: string | undefined;
  #lastReason: string | undefined;
  #lastKey = '';
  /** True while a key is being made (a getter of the thrown value could drain the reporter again). */
  #busy = false;

  constructor(windowMs: number, maxFingerprints: number) {
    this.#firsts = new WindowedMap(windowMs, maxFingerprints);
  }

  /** The fault's key, handle and, if it repeats an earlier one in the window, that one's id. */
  observe(fault: Fault, now: number): RepeatVerdict {
    const key = this.#keyFor(fault);
    const first = this.#firsts.get(key, now);
    if (first !== undefined) return { key, handle: first.handle, firstId: first.id };
    this.#next += 1;
    this.#firsts.set(key, { id: fault.id, handle: this.#next }, now);
    return { key, handle: this.#next, firstId: undefined };
  }

  /**
   * The first occurrence in the window that `fault` repeats, if any, with nothing remembered of
   * `fault` when it repeats none (a first occurrence is {@link observe}d when its item is made).
   */
  peek(fault: Fault, now: number): { readonly id: string; readonly handle: number } | undefined {
    return this.#firsts.get(this.#keyFor(fault), now);
  }

  /** The fault's key ({@link #keyOf}, or made afresh while one is being made); never throws. */
  #keyFor(fault: Fault): string {
    try {
      return this.#busy ? this.#freshKey(fault) : this.#keyOf(fault);
    } catch {
      return `${fault.code}\u0000unknown`;
    }
  }

  /** The fault's key: the last one again when its parts are the last ones. */
  #keyOf(fault: Fault): string {
    this.#busy = true;
    try {
      const code = fault.code;
      const reason = fault.internal.reason;
      const parts = this.#parts;
      const n = signatureParts(fault.internal.thrown, thrownTypeLabel(fault.internal), parts);
      if (n === this.#lastCount && code === this.#lastCode && reason === this.#lastReason) {
        const last = this.#lastParts;
        let same = true;
        for (let i = 0; i < n && same; i += 1) same = parts[i] === last[i];
        if (same) return this.#lastKey;
      }
      const key = keyFrom(code, reason, joinSignature(parts, n));
      this.#parts = this.#lastParts;
      this.#lastParts = parts;
      this.#lastCount = n;
      this.#lastCode = code;
      this.#lastReason = reason;
      this.#lastKey = key;
      return key;
    } finally {
      this.#busy = false;
    }
  }

  /** The fault's key made afresh, remembering nothing (while {@link #keyOf} is running). */
  #freshKey(fault: Fault): string {
    return keyFrom(
      fault.code,
      fault.internal.reason,
      errorSignature(fault.internal.thrown, thrownTypeLabel(fault.internal)),
    );
  }
}
