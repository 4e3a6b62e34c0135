/**
 * Bounded maps of things remembered for a time window (first occurrences, fingerprints per error
 * signature): at most `max` entries, the oldest forgotten first, an entry older than the window
 * treated as absent. A window of 0 remembers nothing.
 */

/**
 * A map bounded to its newest `max` keys (by insertion: setting a key makes it the newest). The
 * oldest key is found with one `keys()` iterator kept for the map's life: a fresh
 * `keys().next()` per new key (what this replaced) walks from the table's start over every slot
 * deleted since the last rehash, so in a full map each eviction stepped over the ones before it.
 * The kept iterator stands just past the last key it gave; keys deleted by other paths are
 * skipped, keys set again are met again at their new place, and after `clear` a new one is made.
 */
export class OldestFirst<K, V> implements Iterable<[K, V]> {
  readonly #map = new Map<K, V>();
  #keys: Iterator<K> = this.#map.keys();
  readonly #max: number;

  /** `max`: entries kept (at least 1). */
  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  /** Entries held. */
  get size(): number {
    return this.#map.size;
  }

  /** The value of `key`, if held. */
  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Sets `key` as the newest entry; forgets the oldest when past `max`. */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#forgetOldest();
  }

  /** Forgets `key`; true when it was held. */
  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  /** Forgets every entry. */
  clear(): void {
    this.#map.clear();
    this.#keys = this.#map.keys();
  }

  /** The entries, oldest first. */
  [Symbol.iterator](): Iterator<[K, V]> {
    return this.#map.entries();
  }

  #forgetOldest(): void {
    let oldest = this.#keys.next();
    if (oldest.done === true) {
      // Spent (it reached the end once, so it never yields again): start over from the oldest.
      this.#keys = this.#map.keys();
      oldest = this.#keys.next();
    }
    if (oldest.done !== true) this.#map.delete(oldest.value);
  }
}

interface Entry<V> {
  readonly value: V;
  readonly since: number;
}

/** A bounded, windowed map. */
export class WindowedMap<V> {
  readonly #entries: OldestFirst<string, Entry<V>>;
  readonly #windowMs: number;
  /** The last key `get` looked up and what it found (`undefined`: absent). */
  #lastKey: string | undefined;
  #lastEntry: Entry<V> | undefined;

  constructor(windowMs: number, max: number) {
    this.#windowMs = windowMs;
    this.#entries = new OldestFirst(max);
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
    this.#entries.set(key, { value, since: now });
    // The remembered lookup may name a replaced or forgotten entry.
    this.#lastKey = undefined;
    this.#lastEntry = undefined;
  }
}
