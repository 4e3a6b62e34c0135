/**
 * HTTP/1.1 chunked transfer coding (RFC 9112 §7.1), decoded as the bytes arrive: each byte is read
 * once, however the target splits its answer into packets, and the data goes on to its sink. The
 * trailer fields, which a client reads like header fields, are kept and checked like them; the
 * trailer section is bounded like a head.
 */
import { LIMITS } from './exchange.js';
import { addField } from './fields.js';

/** The longest chunk-size line (with its extensions) read; a longer one ends the body. */
const SIZE_LINE = 4096;

/** The trailer fields in `section` (lines ended by CRLF; a line that is not a field is skipped). */
function trailerFields(section: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of section.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    addField(fields, name, value);
  }
  return fields;
}

/** A chunked body decoded as it arrives: data to `sink`, trailers kept, its end seen or not. */
export class ChunkedDecoder {
  #state: 'size' | 'data' | 'crlf' | 'trailers' | 'done' = 'size';
  /** The size line, the CRLF after data, or the trailer section read so far (latin1). */
  #text = '';
  #remaining = 0;
  /** Why the body cannot be read, if it cannot. */
  error: string | undefined;

  constructor(readonly sink: (data: Buffer) => void) {}

  /** The last chunk and the end of the trailer section were seen (or the framing broke). */
  get complete(): boolean {
    return this.#state === 'done';
  }

  /** Trailer fields, lower-case names, same-named ones joined with `, ` (those whose line arrived). */
  get trailers(): Record<string, string> {
    if (this.#state === 'trailers')
      return trailerFields(this.#text.slice(0, Math.max(0, this.#text.lastIndexOf('\r\n'))));
    return this.#trailers;
  }

  #trailers: Record<string, string> = {};

  /** Decodes the bytes of `chunk`. */
  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && this.#state !== 'done') {
      if (this.#state === 'data') {
        const n = Math.min(this.#remaining, chunk.length - i);
        this.sink(chunk.subarray(i, i + n));
        i += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#state = 'crlf';
      } else if (this.#state === 'crlf') {
        // The CRLF after a chunk's data (two bytes, not checked, as before).
        this.#text += chunk.toString('latin1', i, i + 1);
        i += 1;
        if (this.#text.length === 2) this.#next('size');
      } else if (this.#state === 'size') i = this.#sizeLine(chunk, i);
      else i = this.#trailerSection(chunk, i);
    }
  }

  #next(state: 'size' | 'data' | 'trailers' | 'done'): void {
    this.#state = state;
    this.#text = '';
  }

  #sizeLine(chunk: Buffer, from: number): number {
    const lf = chunk.indexOf(0x0a, from);
    const end = lf === -1 ? chunk.length : lf + 1;
    this.#text += chunk.toString('latin1', from, end);
    if (this.#text.length > SIZE_LINE) {
      this.error = `a chunk-size line over ${SIZE_LINE} bytes`;
      this.#next('done');
    } else if (lf !== -1) {
      const size = Number.parseInt(this.#text, 16);
      // A size that does not parse ends the body where it is (what came before it is read).
      if (!Number.isFinite(size) || size < 0) this.#next('done');
      else if (size === 0) this.#next('trailers');
      else {
        this.#remaining = size;
        this.#next('data');
      }
    }
    return end;
  }

  #trailerSection(chunk: Buffer, from: number): number {
    // Searched only where the new bytes can complete CRLF CRLF: a section dripped byte by byte stays linear.
    const searchFrom = Math.max(0, this.#text.length - 3);
    this.#text += chunk.toString('latin1', from);
    const end = this.#text.startsWith('\r\n') ? 0 : this.#text.indexOf('\r\n\r\n', searchFrom);
    if (end !== -1) {
      this.#trailers = trailerFields(this.#text.slice(0, end));
      this.#next('done');
    } else if (this.#text.length > LIMITS.headBytes) {
      this.error = `a trailer section over ${LIMITS.headBytes} bytes`;
      this.#next('done');
    }
    return chunk.length;
  }
}
