/**
 * The frames of one WebSocket session as the probe keeps them for its checks: bounded by their
 * total size, not by their count, so that a leak after a burst of small frames (a welcome, presence
 * updates) is still read, while a flood of large frames still fits in a fixed memory. A long
 * message keeps its first and its last {@link FRAME_BYTES} (a leak at the end of a large message is
 * read); what is not kept is counted, so that the operator is told.
 */

/** The most text kept from one session's frames. */
export const FRAMES_BYTES = 1024 * 1024;
/** The most kept from each end of one frame. */
export const FRAME_BYTES = 65_536;
/** The most frames kept from one session (a flood of tiny frames stays a bounded list). */
export const MAX_FRAMES = 10_000;

/** The frames of one session, kept within {@link FRAMES_BYTES}, and the bytes not kept. */
export class Frames {
  /** The text kept of each frame. */
  readonly texts: string[] = [];
  /** Bytes received but not kept (a long frame's middle, frames past the total). */
  unscanned = 0;
  #kept = 0;

  /** Keeps what fits of `data` (a frame's payload, read as UTF-8). */
  add(data: Buffer): void {
    // Every frame costs at least one byte: a flood of empty frames cannot grow the list without end.
    const room = FRAMES_BYTES - this.#kept;
    if (room <= 0 || this.texts.length >= MAX_FRAMES) {
      this.unscanned += data.length;
      return;
    }
    const head = data.subarray(0, Math.min(FRAME_BYTES, room));
    const tailLength = Math.max(0, Math.min(FRAME_BYTES, room - head.length, data.length - head.length));
    const tail = data.subarray(data.length - tailLength);
    const skipped = data.length - head.length - tail.length;
    this.unscanned += skipped;
    // Head and tail apart (a line break between them) when the middle is not kept.
    this.texts.push(skipped > 0 ? `${head}\n\n${tail}` : String(Buffer.concat([head, tail])));
    this.#kept += Math.max(1, head.length + tail.length);
  }
}

/** ws's error code for a message over `maxPayload`: the target sent a message no client accepts. */
export const OVERSIZED = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
