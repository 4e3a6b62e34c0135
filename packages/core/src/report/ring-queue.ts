/** A fixed-capacity FIFO queue on a ring buffer: O(1) push and shift, no growth past capacity. */
export class RingQueue<T> {
  readonly #items: (T | undefined)[];
  #head = 0;
  #size = 0;

  /** @param capacity most items held at once (at least 1). */
  constructor(readonly capacity: number) {
    this.#items = new Array(Math.max(1, Math.floor(capacity)));
  }

  /** Items currently queued. */
  get size(): number {
    return this.#size;
  }

  /** True when another push would not fit. */
  get full(): boolean {
    return this.#size === this.#items.length;
  }

  /** Appends `item`; returns false (and keeps nothing) when full. */
  push(item: T): boolean {
    if (this.full) return false;
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
}
