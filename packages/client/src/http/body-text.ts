/**
 * Reading an HTTP body from an untrusted server without holding more than `DECODE_LIMITS.body`,
 * or for longer than a deadline: a fetch `Response` body is read as a stream and cancelled past
 * the size bound, when the deadline passes, or when the caller's signal aborts (so a stalled or
 * trickling body releases its connection).
 */
import { DECODE_LIMITS } from '../untrusted.js';
import { type Deadline, STOPPED } from './deadline.js';

/** The part of a fetch `Response` body the reader uses (a WHATWG `ReadableStream`). */
export interface BodyStreamLike {
  /** A reader of the body's bytes (the WHATWG `ReadableStream` reader). */
  getReader(): {
    /** The next chunk, or `done`. */
    read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
    /** Stops reading; the rest of the body is discarded. */
    cancel(reason?: unknown): Promise<void>;
  };
}

type BodyReader = ReturnType<BodyStreamLike['getReader']>;

/** Cancels a reader, ignoring whatever a hostile or already-closed stream does. */
function cancel(reader: BodyReader): void {
  try {
    Promise.resolve(reader.cancel()).catch(() => undefined);
  } catch {
    // a reader that cannot be cancelled: nothing more to do
  }
}

/**
 * Reads a stream as UTF-8 text; undefined once it passes `max` bytes or the deadline is reached
 * (the stream is then cancelled).
 */
async function streamText(body: BodyStreamLike, max: number, end: Deadline): Promise<string | undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const step = await Promise.race([reader.read(), end.reached]);
    if (step === STOPPED || end.passed()) {
      cancel(reader);
      return undefined;
    }
    if (step.done) return text + decoder.decode();
    const value = step.value;
    if (!(value instanceof Uint8Array)) continue;
    bytes += value.byteLength;
    if (bytes > max) {
      cancel(reader);
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * The body as text, or undefined when it is longer than `DECODE_LIMITS.body`, cannot be read, or is
 * not read before `end` (a stream is then cancelled). A `body` stream is read with the bounds;
 * without one (`null` is an empty body), `text()` is used, raced against `end`.
 */
export async function boundedBodyText(
  response: {
    readonly body?: BodyStreamLike | null | undefined;
    text(): Promise<string>;
  },
  end: Deadline,
): Promise<string | undefined> {
  try {
    const body = response.body;
    if (body === null) return '';
    const text =
      body !== undefined && typeof body.getReader === 'function'
        ? await streamText(body, DECODE_LIMITS.body * 4, end)
        : await Promise.race([response.text(), end.reached]);
    return typeof text !== 'string' || text.length > DECODE_LIMITS.body ? undefined : text;
  } catch {
    // a body that cannot be read (aborted, lossy link, already read)
    return undefined;
  } finally {
    end.clear();
  }
}
