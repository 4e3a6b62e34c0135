/**
 * Content codings (RFC 9110 §8.4): an answer's body as a client reads it. gzip, deflate and br are
 * decoded with node:zlib, bounded by the same limit as any body; a body that does not decode, or
 * that decodes past the limit, is unparseable. Unknown codings are read as they are.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { Answer } from '../answer.js';
import { bodyText } from './charset.js';

/** One answer's body made readable, or why it cannot be. */
export type Decoded = { readonly answer: Answer } | { readonly unparseable: string };

function decodeOne(coding: string, data: Buffer, limit: number): Buffer | undefined {
  const options = { maxOutputLength: limit };
  if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(data, options);
  if (coding === 'br') return brotliDecompressSync(data, options);
  if (coding === 'deflate') {
    try {
      return inflateSync(data, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
      return inflateRawSync(data, options); // some servers send deflate without its zlib wrapper
    }
  }
  return undefined;
}

/**
 * The answer with `body` decoded by its Content-Encoding (last coding applied first undone) and cut
 * at `limit` bytes; unparseable when a coding fails or decodes past `limit`.
 */
export function decodeAnswer(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  limit: number,
): Decoded {
  const codings = (headers['content-encoding'] ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
  let data = body;
  if (data.length > 0) {
    for (const coding of codings) {
      try {
        const decoded = decodeOne(coding, data, limit);
        if (decoded === undefined) break; // an unknown coding: read the bytes as they are
        data = decoded;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
          return { unparseable: `a ${coding} body over ${limit} bytes once decoded` };
        return { unparseable: `a body that does not decode as ${coding}` };
      }
    }
  }
  // Decoded by its byte order mark or charset: UTF-16 read as UTF-8 would hide a leak between NULs.
  return { answer: { status, headers, body: bodyText(data.subarray(0, limit), headers['content-type']) } };
}
