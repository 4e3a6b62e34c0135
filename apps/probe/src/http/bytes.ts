/**
 * The bytes of one answer as they arrive. A target may send its answer in thousands of tiny
 * packets; concatenating the whole buffer again on each one costs time quadratic in its size, so
 * the store grows by doubling instead (each byte copied a bounded number of times).
 */
export class Bytes {
  #store: Buffer = Buffer.alloc(0);
  #length = 0;

  /** Appends `chunk`. */
  append(chunk: Buffer): void {
    if (this.#length + chunk.length > this.#store.length) {
      const grown = Buffer.alloc(Math.max(this.#length + chunk.length, this.#store.length * 2, 4096));
      this.#store.copy(grown, 0, 0, this.#length);
      this.#store = grown;
    }
    chunk.copy(this.#store, this.#length);
    this.#length += chunk.length;
  }

  /** Drops the first `count` bytes (an interim answer already read). */
  drop(count: number): void {
    this.#store.copy(this.#store, 0, count, this.#length);
    this.#length -= Math.min(count, this.#length);
  }

  /** What was received so far (a view, valid until the next {@link append} or {@link drop}). */
  get view(): Buffer {
    return this.#store.subarray(0, this.#length);
  }
}
