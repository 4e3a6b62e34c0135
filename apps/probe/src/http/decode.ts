/**
 * Content codings (RFC 9110 §8.4): an answer's body as a client reads it. gzip, deflate and br are
 * decoded with node:zlib, bounded by {@link LIMITS}.readBytes decoded: a body that does not decode,
 * or that decodes past that (a compression bomb), is unparseable. Unknown codings are read as they are.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { LIMITS } from './exchange.js';

/** The content codings of `headers`, the last applied first (the order they are undone in). */
export function contentCodings(headers: Readonly<Record<string, string>>): string[] {
  return (headers['content-encoding'] ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
}

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
 * `body` with `codings` undone (as {@link contentCodings} gives them), or why it cannot be: a coding
 * that fails, or output past {@link LIMITS}.readBytes.
 */
export function decodeBody(codings: readonly string[], body: Buffer): Buffer | { readonly unparseable: string } {
  let data = body;
  if (data.length === 0) return data;
  for (const coding of codings) {
    try {
      const decoded = decodeOne(coding, data, LIMITS.readBytes);
      if (decoded === undefined) break; // an unknown coding: read the bytes as they are
      data = decoded;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        return { unparseable: `a ${coding} body over ${LIMITS.readBytes} bytes once decoded` };
      return { unparseable: `a body that does not decode as ${coding}` };
    }
  }
  return data;
}
