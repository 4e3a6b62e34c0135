/**
 * The body of one answer as it arrives, after its transfer framing (HTTP/1.1) or from its stream
 * (HTTP/2), and before its content coding is undone. A body without a content coding goes straight
 * into a {@link BodyWindow}: read to its end, its head and tail kept, and its middle checked as it
 * passes ({@link MiddleScan}). An encoded body cannot be cut before it is decoded, so its bytes are
 * kept, then decoded once at the end, windowed and checked alike. Either way at most
 * {@link LIMITS}.readBytes are read: past that, the body is over the limit.
 */
import type { Answer } from '../answer.js';
import { bytesText, compressed } from '../bytes-text.js';
import { MiddleScan } from '../middle.js';
import { Bytes } from './bytes.js';
import { keptText } from './charset.js';
import { contentCodings, decodeBody } from './decode.js';
import { type Exchange, LIMITS } from './exchange.js';
import { BodyWindow } from './window.js';

/** Between the parts of a body checked apart: a line break, so no match spans two parts. */
const GAP = '\n\n';

/**
 * One answer made readable, or why it cannot be. An answer whose content coding fails is unparseable,
 * but what could be read of it (decoded up to where it fails, or its bytes as sent) is still checked.
 */
export type Decoded =
  | { readonly answer: Answer; readonly unscanned: number; readonly unparseable?: string }
  | { readonly unparseable: string };

/** A body read chunk by chunk, bounded in memory by the window and in bytes by {@link LIMITS}.readBytes. */
export class BodyReader {
  readonly #codings: string[];
  readonly #window = new BodyWindow(LIMITS.bodyBytes, LIMITS.tailBytes);
  readonly #middle: MiddleScan;
  readonly #encoded: Bytes | undefined;
  #read = 0;

  /** @param headers the answer's head fields (its Content-Encoding says how to decode). */
  constructor(readonly headers: Readonly<Record<string, string>>) {
    this.#codings = contentCodings(headers);
    this.#encoded = this.#codings.length > 0 ? new Bytes() : undefined;
    this.#middle = new MiddleScan(LIMITS.bodyBytes, headers['content-type']);
  }

  /** True once more than {@link LIMITS}.readBytes came: nothing more is read. */
  get over(): boolean {
    return this.#read > LIMITS.readBytes;
  }

  /** Why the body is not an answer though it arrived: over the read limit (what came is still checked). */
  get overLimit(): string | undefined {
    return this.over ? `a body over ${LIMITS.readBytes} bytes` : undefined;
  }

  /** Adds `chunk` (what is past the read limit is dropped). */
  push(chunk: Buffer): void {
    if (this.over) return;
    this.#read += chunk.length;
    const room = chunk.length - Math.max(0, this.#read - LIMITS.readBytes);
    const part = room < chunk.length ? chunk.subarray(0, room) : chunk;
    if (this.#encoded !== undefined) this.#encoded.append(part);
    else {
      this.#window.append(part);
      this.#middle.push(part);
    }
  }

  /**
   * The answer, decoded once: its body's text (head, tail, and the leaks found between them, each
   * with the text around it), with `headers` (the head's fields, trailers added) and the status line's
   * `reason`, and how many bytes of the body were not checked (only when `late`: the run's
   * deadline passed, so what is left of the middle is not checked); with why it is unparseable
   * when its content coding fails.
   */
  finish(status: number, headers: Readonly<Record<string, string>>, reason?: string, late = false): Decoded {
    let window = this.#window;
    let middle = this.#middle;
    let unparseable: string | undefined;
    if (this.#encoded !== undefined) {
      const decoded = decodeBody(this.#codings, this.#encoded.view);
      unparseable = decoded.unparseable;
      window = new BodyWindow(LIMITS.bodyBytes, LIMITS.tailBytes);
      window.append(decoded.data);
      middle = new MiddleScan(LIMITS.bodyBytes, headers['content-type']);
      if (!late) middle.push(decoded.data);
    }
    const kept = window.kept();
    // Decoded by its byte order mark or charset: UTF-16 read as UTF-8 would hide a leak between NULs.
    // The bytes between head and tail were checked as they passed: the leaks found there follow
    // head and tail, apart from them, for the answer's checks.
    const { texts, unchecked } = middle.finish(kept, late);
    const text = keptText(kept, headers['content-type']);
    const inside = undeclaredText(kept);
    const all = inside === undefined ? texts : [inside, ...texts];
    const body = all.length === 0 ? text : [text, ...all].join(GAP);
    return {
      answer: { status, ...(reason ? { reason } : {}), headers, body },
      unscanned: unchecked,
      ...(unparseable === undefined ? {} : { unparseable }),
    };
  }
}

/**
 * The text of a whole body that is gzip or zstd data though no Content-Encoding says so
 * (`application/gzip`, a debug dump), or once its Content-Encoding is undone (a body compressed twice:
 * an application's gzip, then a proxy's): anyone who has the bytes can decompress them. Bounded by
 * {@link LIMITS}.readBytes out.
 */
function undeclaredText(kept: { readonly head: Buffer; readonly skipped: number }): string | undefined {
  const { head } = kept;
  const kind = compressed(head);
  if (kept.skipped > 0 || (kind !== 'gzip' && kind !== 'zstd')) return undefined;
  return bytesText(head, LIMITS.readBytes);
}

/**
 * The exchange a decoded answer makes: answered; checked but not an answer (`cut`: cut short,
 * stalled, or `broken`, its reason); or unparseable. Bytes of the body not checked are counted.
 */
export function exchangeOf(
  decoded: Decoded,
  cut: Exchange['outcome'] | undefined,
  broken: string | undefined,
): Exchange {
  if (!('answer' in decoded))
    return { answer: undefined, outcome: 'unparseable', error: broken ?? decoded.unparseable };
  const unscanned = decoded.unscanned > 0 ? { unscanned: decoded.unscanned } : {};
  // A body whose coding fails is read as far as it goes, and checked; it is not an answer.
  if (decoded.unparseable !== undefined)
    return { answer: decoded.answer, outcome: 'unparseable', error: broken ?? decoded.unparseable, ...unscanned };
  return cut === undefined
    ? { answer: decoded.answer, outcome: 'answered', ...unscanned }
    : { answer: decoded.answer, outcome: cut, error: broken ?? 'a body cut short', ...unscanned };
}
