/**
 * Content codings (RFC 9110 §8.4): an answer's body as a client reads it. gzip, deflate, br and zstd
 * (where this Node.js has it: see {@link ZSTD_UNREADABLE}) are decoded with node:zlib, bounded by {@link LIMITS}.readBytes decoded: a body that does not decode,
 * or that decodes past that (a compression bomb), is unparseable (what could be read of it is still
 * checked). Unknown codings are read as they are.
 */
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { ZSTD_UNREADABLE, zstdDecompress } from '../zstd.js';
import { LIMITS } from './exchange.js';

/** The content codings of `headers`, the last applied first (the order they are undone in). */
export function contentCodings(headers: Readonly<Record<string, string>>): string[] {
  return (headers['content-encoding'] ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
}

/** Options that decode what a truncated stream holds instead of failing at its end. */
const PARTIAL = { finishFlush: constants.Z_SYNC_FLUSH } as const;
const PARTIAL_BR = { finishFlush: constants.BROTLI_OPERATION_FLUSH } as const;

function decodeOne(coding: string, data: Buffer, limit: number, partial = false): Buffer | undefined {
  const options = { maxOutputLength: limit, ...(partial ? PARTIAL : {}) };
  if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(data, options);
  if (coding === 'zstd') return zstdDecompress(data, limit);
  if (coding === 'br') return brotliDecompressSync(data, { maxOutputLength: limit, ...(partial ? PARTIAL_BR : {}) });
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

/** What a body decodes to, and why it is unparseable when a coding fails (the data is then what could be read). */
export interface DecodedBody {
  readonly data: Buffer;
  readonly unparseable?: string;
}

/**
 * `body` with `codings` undone (as {@link contentCodings} gives them). When a coding fails (a body
 * cut short, a body that is not what its Content-Encoding says) or its output passes
 * {@link LIMITS}.readBytes (a compression bomb), the body is unparseable, and its data is what a
 * reader still gets: the stream decoded up to where it fails, else the bytes as they came.
 */
export function decodeBody(codings: readonly string[], body: Buffer): DecodedBody {
  let data = body;
  if (data.length === 0) return { data };
  for (const coding of codings) {
    // Not read is not clean: a body this Node.js cannot decode is unparseable.
    if (coding === 'zstd' && ZSTD_UNREADABLE !== undefined) return { data, unparseable: ZSTD_UNREADABLE };
    try {
      const decoded = decodeOne(coding, data, LIMITS.readBytes);
      if (decoded === undefined) break; // an unknown coding: read the bytes as they are
      data = decoded;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        return { data, unparseable: `a ${coding} body over ${LIMITS.readBytes} bytes once decoded` };
      let partial: Buffer | undefined;
      try {
        partial = decodeOne(coding, data, LIMITS.readBytes, true);
      } catch {
        partial = undefined;
      }
      return { data: partial ?? data, unparseable: `a body that does not decode as ${coding}` };
    }
  }
  return { data };
}
