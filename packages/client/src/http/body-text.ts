/**
 * Reading an HTTP body from an untrusted server without holding more than `DECODE_LIMITS.body`:
 * a fetch `Response` body is read as a stream and cancelled past the bound.
 */
import { DECODE_LIMITS } from '../untrusted.js';

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

/** Reads a stream as UTF-8 text; undefined once it passes `max` bytes (the stream is then cancelled). */
async function streamText(body: BodyStreamLike, max: number): Promise<string | undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    if (!(value instanceof Uint8Array)) continue;
    bytes += value.byteLength;
    if (bytes > max) {
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * The body as text, or undefined when it is longer than `DECODE_LIMITS.body` or cannot be read.
 * A `body` stream is read with the bound; without one (`null` is an empty body), `text()` is used.
 */
export async function boundedBodyText(response: {
  readonly body?: BodyStreamLike | null | undefined;
  text(): Promise<string>;
}): Promise<string | undefined> {
  try {
    const body = response.body;
    if (body === null) return '';
    const text =
      body !== undefined && typeof body.getReader === 'function'
        ? await streamText(body, DECODE_LIMITS.body * 4)
        : await response.text();
    return text === undefined || text.length > DECODE_LIMITS.body ? undefined : text;
  } catch {
    // a body that cannot be read (aborted, lossy link, already read)
    return undefined;
  }
}
