/**
 * Which records are repeats: within a window, the first occurrence of each fingerprint is logged
 * in full and later ones are repeats of it. Fingerprints are reused per error signature, because
 * formatting a stack costs more than everything else in a record: a fault with the same code,
 * reason and signature (type, code and message shape of the value and what it wraps) takes the
 * fingerprint of the first. Two different errors never share one; one error thrown from two call
 * sites may.
 */
import type { Fault } from '../fault.js';
import { errorSignature, fingerprint } from './fingerprint.js';
import { WindowedMap } from './windows.js';

/** What the window says about one fault. */
export interface RepeatVerdict {
  readonly fingerprint: string;
  /** The request id of the first occurrence, when this fault repeats it. */
  readonly firstId: string | undefined;
}

/** First occurrences and fingerprints, remembered for a window (0 disables both). */
export class RepeatWindow {
  readonly #firsts: WindowedMap<string>;
  readonly #fingerprints: WindowedMap<string>;

  constructor(windowMs: number, maxFingerprints: number) {
    this.#firsts = new WindowedMap(windowMs, maxFingerprints);
    this.#fingerprints = new WindowedMap(windowMs, maxFingerprints);
  }

  /** The fault's fingerprint and, if it repeats an earlier one in the window, that one's id; a first occurrence is remembered. */
  observe(fault: Fault, now: number): RepeatVerdict {
    const fp = this.#fingerprintOf(fault, now);
    const firstId = this.#firsts.get(fp, now);
    if (firstId === undefined) this.#firsts.set(fp, fault.id, now);
    return { fingerprint: fp, firstId };
  }

  #fingerprintOf(fault: Fault, now: number): string {
    const key = `${fault.code}\u0000${fault.internal.reason}\u0000${errorSignature(fault.internal.thrown)}`;
    const cached = this.#fingerprints.get(key, now);
    if (cached !== undefined) return cached;
    let fp: string;
    try {
      fp = fingerprint(fault);
    } catch {
      fp = 'unknown';
    }
    this.#fingerprints.set(key, fp, now);
    return fp;
  }
}
