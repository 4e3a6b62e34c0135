/**
 * A stand-in for the Map Node keeps a session's open HTTP/2 streams in, for the GC diagnostic
 * only: an open-addressing table of fixed capacity, keyed by stream id, that never reallocates
 * and clears a slot as soon as its stream is removed, so no discarded table can keep a closed
 * stream alive. It implements the Map methods Node's http2 core uses on that field.
 */

/** Slots; far more than the concurrent streams a session allows by default (100 in grpc-js). */
const CAPACITY = 4096;
const MASK = CAPACITY - 1;
const EMPTY = -1;

/** Home slot of a stream id (client stream ids are odd). */
function home(id: number): number {
  return (id >>> 1) & MASK;
}

/** A Map<number, V> over one fixed pair of arrays (linear probing, backward-shift deletion). */
export class FixedStreamTable<V = unknown> {
  private readonly ids = new Array<number>(CAPACITY).fill(EMPTY);
  private readonly streams = new Array<V | undefined>(CAPACITY).fill(undefined);
  private count = 0;

  /** Number of streams held. */
  get size(): number {
    return this.count;
  }

  /** The slot of `id`, or `-1 - freeSlot` when absent. */
  private slotOf(id: number): number {
    for (let probe = 0, slot = home(id); probe < CAPACITY; probe += 1, slot = (slot + 1) & MASK) {
      if (this.ids[slot] === id) return slot;
      if (this.ids[slot] === EMPTY) return -1 - slot;
    }
    throw new RangeError('stream table full');
  }

  /** Adds or replaces the stream of `id`. */
  set(id: number, value: V): this {
    const slot = this.slotOf(id);
    if (slot >= 0) this.streams[slot] = value;
    else {
      this.ids[-1 - slot] = id;
      this.streams[-1 - slot] = value;
      this.count += 1;
    }
    return this;
  }

  /** The stream of `id`, if held. */
  get(id: number): V | undefined {
    const slot = this.slotOf(id);
    return slot >= 0 ? this.streams[slot] : undefined;
  }

  /** True when the stream of `id` is held. */
  has(id: number): boolean {
    return this.slotOf(id) >= 0;
  }

  /** Removes the stream of `id`; later entries of its probe run move back so lookups still find them. */
  delete(id: number): boolean {
    let hole = this.slotOf(id);
    if (hole < 0) return false;
    this.count -= 1;
    for (let next = (hole + 1) & MASK; this.ids[next] !== EMPTY; next = (next + 1) & MASK) {
      const wanted = home(this.ids[next] ?? EMPTY);
      // Move the entry back unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? wanted > hole && wanted <= next : wanted > hole || wanted <= next;
      if (!stays) {
        this.ids[hole] = this.ids[next] ?? EMPTY;
        this.streams[hole] = this.streams[next];
        hole = next;
      }
    }
    this.ids[hole] = EMPTY;
    this.streams[hole] = undefined;
    return true;
  }

  /** Every [id, stream] pair held. */
  *entries(): IterableIterator<[number, V]> {
    for (let slot = 0; slot < CAPACITY; slot += 1) {
      const id = this.ids[slot] ?? EMPTY;
      if (id !== EMPTY) yield [id, this.streams[slot] as V];
    }
  }

  /** Every stream held. */
  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  /** Every stream id held. */
  *keys(): IterableIterator<number> {
    for (const [id] of this.entries()) yield id;
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries();
  }

  /** Calls `callback` for every stream held. */
  forEach(callback: (value: V, id: number, table: this) => void): void {
    for (const [id, value] of this.entries()) callback(value, id, this);
  }

  /** Removes every stream. */
  clear(): void {
    this.ids.fill(EMPTY);
    this.streams.fill(undefined);
    this.count = 0;
  }
}
