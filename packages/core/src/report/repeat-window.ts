/**
 * Which records are repeats, decided on the response thread without reading stacks: within a
 * window, the first occurrence of each error key is written in full and gets a handle; later ones
 * are repeats of that handle. The key: code, reason, the signature of the value and what it wraps
 * (type, code and message shape, request data folded), and the identity of the failing thing when
 * the error names one (the constraint, table, column or object its message quotes; a driver's
 * `constraint`/`table`/`column`; a system error's address, host name or path; an HTTP client's
 * upstream host). The fingerprint itself (the key plus the top stack frames, hashed) is computed
 * where the full record is written.
 *
 * Two failures share a key when they differ only in request data, or in what the error does not
 * say (two constraints named only by a translated message, two hosts behind one unnamed client
 * error); one error thrown from two call sites shares one too. Past {@link MAX_IDENTITIES}
 * identities of one signature in a window (a client varying a path or a webhook host), further
 * ones share one overflow key, so no input makes every fault a first occurrence.
 */
import { thrownTypeLabel } from '../captured-internal.js';
import type { Fault } from '../fault.js';
import { joinIdentity, joinSignature, signatureParts } from './fingerprint.js';
import { WindowedMap } from './windows.js';

/** What the window says about one fault. */
export interface RepeatVerdict {
  /** Code, reason, signature and identity (or the overflow key past {@link MAX_IDENTITIES}). */
  readonly key: string;
  /** The handle of the key's first occurrence in the window (this fault's, when it is the first). */
  readonly handle: number;
  /** The request id of the first occurrence, when this fault repeats it. */
  readonly firstId: string | undefined;
}

/** Identities kept apart per signature (code, reason and error signature) in a window. */
export const MAX_IDENTITIES = 16;

/** A window key: code, reason and error signature, then the identity when there is one. */
function keyFrom(code: string, reason: string, signature: string, identity: string): string {
  const base = `${code}\u0000${reason}\u0000${signature}`;
  return identity === '' ? base : `${base}\u0000${identity}`;
}

/** The part of `key` (made by {@link keyFrom} with `identity`) before its identity: its signature's key. */
function signatureKeyOf(key: string, identity: string): string {
  return key.slice(0, key.length - identity.length - 1);
}

/** The key a signature's faults fall back to past {@link MAX_IDENTITIES}. */
function overflowKey(signatureKey: string): string {
  return `${signatureKey}\u0000*`;
}

interface First {
  readonly id: string;
  readonly handle: number;
}

/** First occurrences, remembered for a window (0 disables compaction). */
export class RepeatWindow {
  readonly #firsts: WindowedMap<First>;
  /** Identities met per signature (the key's part before its identity), for {@link MAX_IDENTITIES}. */
  readonly #identities: WindowedMap<number>;
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
  #lastIdentity = '';
  /** The identity of the key {@link #keyFor} gave last. */
  #identity = '';
  /** True while a key is being made (a getter of the thrown value could drain the reporter again). */
  #busy = false;

  constructor(windowMs: number, maxFingerprints: number) {
    this.#firsts = new WindowedMap(windowMs, maxFingerprints);
    this.#identities = new WindowedMap(windowMs, maxFingerprints);
  }

  /** The fault's key, handle and, if it repeats an earlier one in the window, that one's id. */
  observe(fault: Fault, now: number): RepeatVerdict {
    let key = this.#keyFor(fault);
    let first = this.#firsts.get(key, now);
    if (first === undefined && this.#identity !== '') {
      // A new identity of its signature: kept apart up to MAX_IDENTITIES, then the overflow key.
      const signatureKey = signatureKeyOf(key, this.#identity);
      const met = this.#identities.get(signatureKey, now) ?? 0;
      if (met >= MAX_IDENTITIES) {
        key = overflowKey(signatureKey);
        first = this.#firsts.get(key, now);
      } else this.#identities.set(signatureKey, met + 1, now);
    }
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
    const key = this.#keyFor(fault);
    const first = this.#firsts.get(key, now);
    const identity = this.#identity;
    if (first !== undefined || identity === '') return first;
    const signatureKey = signatureKeyOf(key, identity);
    const met = this.#identities.get(signatureKey, now) ?? 0;
    return met >= MAX_IDENTITIES ? this.#firsts.get(overflowKey(signatureKey), now) : undefined;
  }

  /**
   * The fault's key ({@link #keyOf}, or made afresh while one is being made), its identity left in
   * `#identity`; never throws.
   */
  #keyFor(fault: Fault): string {
    try {
      return this.#busy ? this.#freshKey(fault) : this.#keyOf(fault);
    } catch {
      this.#identity = '';
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
        if (same) {
          this.#identity = this.#lastIdentity;
          return this.#lastKey;
        }
      }
      const identity = joinIdentity(parts, n);
      const key = keyFrom(code, reason, joinSignature(parts, n), identity);
      this.#parts = this.#lastParts;
      this.#lastParts = parts;
      this.#lastCount = n;
      this.#lastCode = code;
      this.#lastReason = reason;
      this.#lastKey = key;
      this.#lastIdentity = identity;
      this.#identity = identity;
      return key;
    } finally {
      this.#busy = false;
    }
  }

  /** The fault's key made afresh, remembering nothing (while {@link #keyOf} is running). */
  #freshKey(fault: Fault): string {
    const parts: (string | null)[] = [];
    const n = signatureParts(fault.internal.thrown, thrownTypeLabel(fault.internal), parts);
    const identity = joinIdentity(parts, n);
    const key = keyFrom(fault.code, fault.internal.reason, joinSignature(parts, n), identity);
    this.#identity = identity;
    return key;
  }
}
