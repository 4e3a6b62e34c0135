/**
 * Bounded maps of things remembered for a time window (first occurrences, fingerprints per error
 * signature): at most `max` entries, the oldest forgotten first, an entry older than the window
 * treated as absent. A window of 0 remembers nothing.
 */

interface Entry<V> {
  readonly value: V;
  readonly since: number;
}

/** A bounded, windowed map. */
export class WindowedMap<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #windowMs: number;
  readonly #max: number;
  /** The last key `get` looked up and what it found (`undefined`: absent). */
  #lastKey: string | undefined;
  #lastEntry: Entry<V> | undefined;

  constructor(windowMs: number, max: number) {
    this.#windowMs = windowMs;
    this.#max = Math.max(1, max);
  }

  /** The value remembered for `key` within the window at `now`, if any. */
  get(key: string, now: number): V | undefined {
    if (this.#windowMs <= 0) return undefined;
    // The last key looked up again (a storm's usual case): compared, not hashed (a fresh string each time).
    const entry = key === this.#lastKey ? this.#lastEntry : this.#entries.get(key);
    this.#lastKey = key;
    this.#lastEntry = entry;
    return entry !== undefined && now - entry.since < this.#windowMs ? entry.value : undefined;
  }

  /** Remembers `value` for `key` from `now` (as the newest entry). */
  set(key: string, value: V, now: number): void {
    if (this.#windowMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, since: now });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    // The remembered lookup may name a replaced or forgotten entry.
    this.#lastKey = undefined;
    this.#lastEntry = undefined;
  }
}
