/**
 * The part of a long body the probe keeps: its first bytes and its last ones. A leak is often at
 * the end of a large error page (the stack after the markup, the SQL after the dump), so a body over
 * the head window is still read to its end, keeping only a bounded tail: memory stays bounded
 * however long the body, and each byte is copied a bounded number of times. The bytes between head
 * and tail are checked as they pass, by a `MiddleScan`.
 */
import { Bytes } from './bytes.js';

/** What a window kept of a body: its head, its tail, and how many bytes between them were not kept. */
export interface Kept {
  readonly head: Buffer;
  readonly tail: Buffer;
  /** Bytes between head and tail that were dropped (0 when the whole body was kept). */
  readonly skipped: number;
}

/**
 * The first `headBytes` and the last `tailBytes` of a body appended chunk by chunk. Both are copies
 * (a kept slice of a packet would hold the packet's whole buffer); the tail is a ring, written in place.
 */
export class BodyWindow {
  readonly #head = new Bytes();
  #ring: Buffer | undefined;
  /** Where the next tail byte goes in the ring. */
  #end = 0;
  /** Bytes of the ring in use (all of it once it has wrapped). */
  #filled = 0;
  #total = 0;

  constructor(
    readonly headBytes: number,
    readonly tailBytes: number,
  ) {}

  /** Bytes appended so far. */
  get total(): number {
    return this.#total;
  }

  /** Appends `chunk`. */
  append(chunk: Buffer): void {
    this.#total += chunk.length;
    const room = this.headBytes - this.#head.view.length;
    if (room > 0) this.#head.append(chunk.subarray(0, room));
    const rest = room > 0 ? chunk.subarray(room) : chunk;
    if (rest.length === 0 || this.tailBytes === 0) return;
    this.#ring ??= Buffer.alloc(this.tailBytes);
    const ring = this.#ring;
    const data = rest.length > ring.length ? rest.subarray(rest.length - ring.length) : rest;
    const first = Math.min(data.length, ring.length - this.#end);
    data.copy(ring, this.#end, 0, first);
    data.copy(ring, 0, first);
    this.#end = (this.#end + data.length) % ring.length;
    this.#filled = Math.min(ring.length, this.#filled + data.length);
  }

  /** What was kept: the head, the last `tailBytes` after it, and how many bytes in between were dropped. */
  kept(): Kept {
    const ring = this.#ring ?? Buffer.alloc(0);
    // Until the ring wraps, its bytes are in order from its start.
    const tail =
      this.#filled < ring.length
        ? Buffer.from(ring.subarray(0, this.#filled))
        : Buffer.concat([ring.subarray(this.#end), ring.subarray(0, this.#end)]);
    const head = Buffer.from(this.#head.view);
    return { head, tail, skipped: this.#total - head.length - tail.length };
  }
}
