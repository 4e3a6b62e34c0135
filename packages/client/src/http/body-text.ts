/**
 * Reading an HTTP body from an untrusted server without holding more than `DECODE_LIMITS.body`,
 * or for longer than a deadline: a body stream (fetch's WHATWG `ReadableStream`, or a Node.js
 * `Readable` as node-fetch and `node:http` give) is read in chunks and stopped past the size
 * bound, when the deadline passes, or when the caller's signal aborts (so a stalled or trickling
 * body releases its connection).
 */
import { DECODE_LIMITS } from '../untrusted.js';
import { type BodySource, type BodyStreamLike, bodySource } from './body-source.js';
import { type Deadline, STOPPED } from './deadline.js';

/**
 * The most empty chunks a body may yield: they resolve without waiting for I/O, so a stream of
 * them would keep the deadline's timer from ever running (no network body sends them).
 */
const MOST_EMPTY_CHUNKS = 1024;

/**
 * Reads a source as UTF-8 text; undefined (the source stopped) once it passes `max` bytes (or
 * characters, for a source of strings) or `MOST_EMPTY_CHUNKS` empty chunks, yields something other
 * than bytes or strings, or the deadline is reached.
 */
async function sourceText(source: BodySource, max: number, end: Deadline): Promise<string | undefined> {
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  let empty = 0;
  let ended = false;
  try {
    for (;;) {
      const step = await end.race(source.next());
      if (step === STOPPED || end.passed()) return undefined;
      if (step.done) {
        ended = true;
        return text + decoder.decode();
      }
      const value = step.value;
      // A Node.js Readable given an encoding (`setEncoding('utf8')`) yields strings: each counts its length.
      const size = value instanceof Uint8Array ? value.byteLength : typeof value === 'string' ? value.length : -1;
      if (size < 0) return undefined;
      bytes += size;
      if (bytes > max || (size === 0 && ++empty > MOST_EMPTY_CHUNKS)) return undefined;
      text += typeof value === 'string' ? value : decoder.decode(value as Uint8Array, { stream: true });
    }
  } finally {
    // Stopped on every other way out, a read that failed included (the connection is released).
    if (!ended) source.stop();
  }
}

/**
 * The body as text, or undefined when it is longer than `DECODE_LIMITS.body`, cannot be read, or is
 * not read before `end` (the body is then cancelled). A `body` stream is read with the bounds; a
 * body that is neither a WHATWG stream nor an async iterable is not read at all (`text()` would
 * read it without a bound nor a way to stop). Only a response without a `body` member (`null` is
 * an empty body) is read with `text()`, raced against `end`: fetch implementations without body
 * streams (whatwg-fetch in React Native and old browsers) resolve only once the whole body has
 * arrived, so `text()` reads what is already in memory.
 */
export async function boundedBodyText(
  response: {
    readonly body?: BodyStreamLike | AsyncIterable<unknown> | null | undefined;
    text(): Promise<string>;
  },
  end: Deadline,
): Promise<string | undefined> {
  try {
    const body = response.body;
    if (body === null) return '';
    let text: string | typeof STOPPED | undefined;
    if (body === undefined) text = await end.race(response.text());
    else {
      const source = bodySource(body);
      text = source === undefined ? undefined : await sourceText(source, DECODE_LIMITS.body * 4, end);
    }
    return typeof text !== 'string' || text.length > DECODE_LIMITS.body ? undefined : text;
  } catch {
    // a body that cannot be read (aborted, lossy link, already read)
    return undefined;
  } finally {
    end.clear();
  }
}
