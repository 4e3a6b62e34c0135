/**
 * The frames of one WebSocket session as the probe keeps them for its checks: bounded by their
 * total size, not by their count, so that a leak after a burst of small frames (a welcome, presence
 * updates) is still read, while a flood of large frames still fits in a fixed memory. A long
 * message keeps its first and its last {@link FRAME_BYTES} (a leak at the end of a large message is
 * read), and its middle is checked as an HTTP body's is ({@link MiddleScan}: only its leaks are
 * kept, with the text around them), up to {@link MIDDLES_BYTES} a session; what is not checked is
 * counted, so that the operator is told.
 */
import { bytesText } from '../bytes-text.js';
import { MiddleScan } from '../middle.js';

/** The most text kept from one session's frames. */
export const FRAMES_BYTES = 1024 * 1024;
/** The most kept from each end of one frame. */
export const FRAME_BYTES = 65_536;
/** The most frames kept from one session (a flood of tiny frames stays a bounded list). */
export const MAX_FRAMES = 10_000;
/** The most bytes of long messages' middles checked in one session (as many as of one HTTP body). */
export const MIDDLES_BYTES = 4 * 1024 * 1024;

/** The frames of one session, kept within {@link FRAMES_BYTES}, and the bytes not checked. */
export class Frames {
  /** The text kept of each frame. */
  readonly texts: string[] = [];
  /** Bytes received but not checked (long frames' middles past {@link MIDDLES_BYTES}, frames past the total). */
  unscanned = 0;
  #kept = 0;
  #middles = 0;

  /** Keeps what fits of `data` (a frame's payload, read as UTF-8, or as the UTF-16 or compressed text it holds). */
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
    if (skipped === 0) {
      const whole = Buffer.concat([head, tail]);
      // A binary message of UTF-16 or compressed text (zlib-compressed JSON) reads as that text.
      this.texts.push(bytesText(whole, FRAMES_BYTES) ?? String(whole));
      this.#kept += Math.max(1, head.length + tail.length);
      return;
    }
    let middle: readonly string[] = [];
    if (this.#middles + skipped <= MIDDLES_BYTES) {
      this.#middles += skipped;
      const scan = new MiddleScan(head.length, undefined);
      scan.push(data);
      middle = scan.finish({ head, tail, skipped }, false).texts;
    } else this.unscanned += skipped;
    // Head, the leaks of the middle, and tail apart (a line break between them).
    const text = [String(head), ...middle, String(tail)].join('\n\n');
    this.texts.push(text);
    this.#kept += head.length + tail.length + middle.reduce((length, leak) => length + leak.length, 0);
  }
}

/** ws's error code for a message over `maxPayload`: the target sent a message no client accepts. */
export const OVERSIZED = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
