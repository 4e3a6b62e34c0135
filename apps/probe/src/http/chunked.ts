/**
 * HTTP/1.1 chunked transfer coding (RFC 9112 §7.1): the data and the trailer fields, which a
 * client reads like header fields and which are checked like them.
 */
import { addField } from './fields.js';

/** What a chunked body holds so far. */
export interface Chunked {
  readonly data: Buffer;
  /** Trailer fields, lower-case names, same-named ones joined with `, `. */
  readonly trailers: Record<string, string>;
  /** The last chunk and the end of the trailer section were seen. */
  readonly complete: boolean;
}

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

/** Decodes the chunked `body` received so far: its data, its trailers, and whether it is complete. */
export function decodeChunked(body: Buffer): Chunked {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd === -1) break;
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size < 0) return { data: Buffer.concat(parts), trailers: {}, complete: true };
    if (size === 0) {
      // The trailer section: fields, then an empty line.
      const rest = body.subarray(lineEnd + 2).toString('latin1');
      const end = rest.startsWith('\r\n') ? 0 : rest.indexOf('\r\n\r\n');
      const section = end === -1 ? rest.slice(0, Math.max(0, rest.lastIndexOf('\r\n'))) : rest.slice(0, end);
      return { data: Buffer.concat(parts), trailers: trailerFields(section), complete: end !== -1 };
    }
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return { data: Buffer.concat(parts), trailers: {}, complete: false };
}

/**
 * Whether a chunked `body` may have ended with the last `added` bytes: its end (the last chunk and
 * the trailer section) is always CRLF CRLF, so only an arrival that holds one needs a full decode.
 * A target dripping a chunked answer in tiny packets would otherwise cost a decode of everything
 * received on each packet.
 */
export function mayHaveEnded(body: Buffer, added: number): boolean {
  return body.subarray(Math.max(0, body.length - added - 3)).includes('\r\n\r\n');
}
