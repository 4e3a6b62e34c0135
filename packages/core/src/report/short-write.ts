/**
 * What a write of several lines took: a `writev` may stop inside any buffer (a full disk, a file
 * size limit, a pipe), so the lines wholly inside the bytes written are done and the rest goes
 * back, the line it stopped in from its first byte not written.
 */
import type { Line } from './sink.js';

/** The lines of `batch` a write of `written` bytes took whole, and what is left of the others. */
export interface SplitBatch {
  readonly done: readonly Line[];
  /** The lines not written, the first one cut to its bytes not written (empty when all were). */
  readonly rest: Line[];
  /** Bytes of the first line of `rest` that were written (0 when it was not begun). */
  readonly cutAt: number;
}

/** Splits `batch` at `written` bytes (see {@link SplitBatch}). */
export function splitAtWritten(batch: readonly Line[], written: number): SplitBatch {
  let offset = 0;
  let index = 0;
  for (; index < batch.length; index += 1) {
    const size = (batch[index] as Line).bytes.length;
    if (offset + size > written) break;
    offset += size;
  }
  const done = index === batch.length ? batch : batch.slice(0, index);
  if (index === batch.length) return { done, rest: [], cutAt: 0 };
  const rest = batch.slice(index);
  const first = rest[0] as Line;
  rest[0] = { ...first, bytes: first.bytes.subarray(written - offset) };
  return { done, rest, cutAt: written - offset };
}
