/**
 * Zstandard (RFC 8878), as far as this Node.js reads it: `zlib.zstdDecompressSync` came in Node.js
 * 22.15 and 23.8. On an older Node.js a zstd body cannot be read, and the probe says so (the answer is
 * unparseable) rather than call what it could not read clean.
 */
import * as zlib from 'node:zlib';

type Decompress = (data: Buffer, options: { maxOutputLength: number }) => Buffer;

/** Node.js's zstd decompressor, when this Node.js has one. */
const decompress = (zlib as unknown as { zstdDecompressSync?: Decompress }).zstdDecompressSync;

/** Why a zstd body or run was not read, on a Node.js without zstd (undefined when it has it). */
export const ZSTD_UNREADABLE: string | undefined =
  decompress === undefined
    ? `a zstd body, which Node.js ${process.version} cannot decode (22.15 and later can)`
    : undefined;

/** Whether `bytes` start a zstd frame (its magic number, RFC 8878 §3.1.1). */
export function isZstd(bytes: Buffer): boolean {
  return bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd;
}

/**
 * `data` decompressed as zstd, at most `limit` bytes out (past that it throws `ERR_BUFFER_TOO_LARGE`,
 * as node:zlib does); undefined on a Node.js without zstd. A frame cut short gives what it holds.
 */
export function zstdDecompress(data: Buffer, limit: number): Buffer | undefined {
  return decompress?.(data, { maxOutputLength: limit });
}
