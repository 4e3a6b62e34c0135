/**
 * A bounded FIFO queue on a ring buffer: O(1) push and shift, never more than `capacity` items.
 * The ring starts small and doubles as it fills (up to `capacity`), so a reporter that sees a
 * handful of faults does not hold a 4096-slot array from start-up (32 KB that every service kept
 * and that counted toward V8's young-generation growth).
 */
const INITIAL_SLOTS = 64;

/** A bounded FIFO queue (see the module comment). */
export class RingQueue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  readonly #capacity: number;

  /** @param capacity most items held at once (at least 1). */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
    this.#items = new Array(Math.min(this.#capacity, INITIAL_SLOTS));
  }

  /** Most items held at once. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Items currently queued. */
  get size(): number {
    return this.#size;
  }

  /** True when another push would not fit. */
  get full(): boolean {
    return this.#size === this.#capacity;
  }

  /** Appends `item`; returns false (and keeps nothing) when full. */
  push(item: T): boolean {
    if (this.full) return false;
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) % this.#items.length] = item;
    this.#size += 1;
    return true;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size -= 1;
    return item;
  }

  /** Doubles the ring (up to capacity), the oldest item first. */
  #grow(): void {
    const old = this.#items;
    const next: (T | undefined)[] = new Array(Math.min(this.#capacity, old.length * 2));
    for (let i = 0; i < this.#size; i += 1) next[i] = old[(this.#head + i) % old.length];
    this.#items = next;
    this.#head = 0;
  }
}
