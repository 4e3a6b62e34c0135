/**
 * Decoded bytes as the text they hold, when they hold text: UTF-8, UTF-16 (by its byte order mark or
 * where its NUL bytes are: .NET's `Encoding.Unicode`), or either of them gzip- or zlib-compressed (a
 * debug blob compressed before it was base64-encoded, a body gzipped without a Content-Encoding, zstd
 * where this Node.js reads it), or
 * compressed without a header to tell it (raw deflate, brotli: see {@link headerlessText}).
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { encodingOf } from './http/charset.js';
import { isZstd, zstdDecompress } from './zstd.js';

/**
 * gzip's magic and method (RFC 1952), zstd's magic (RFC 8878), and a zlib header (RFC 1950: deflate, a
 * check that holds).
 */
export function compressed(bytes: Buffer): 'gzip' | 'zstd' | 'zlib' | undefined {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08) return 'gzip';
  if (isZstd(bytes)) return 'zstd';
  const [cmf, flg] = [bytes[0] ?? 0, bytes[1] ?? 0];
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0 ? 'zlib' : undefined;
}

/** `bytes` decompressed (at most `limit` bytes out), or undefined when they do not decompress. */
function inflated(bytes: Buffer, limit: number): Buffer | undefined {
  const kind = compressed(bytes);
  if (kind === undefined) return undefined;
  try {
    if (kind === 'zstd') return zstdDecompress(bytes, limit);
    return kind === 'gzip'
      ? gunzipSync(bytes, { maxOutputLength: limit })
      : inflateSync(bytes, { maxOutputLength: limit });
  } catch {
    return undefined;
  }
}

/** Strictly decoded text of `bytes` in `encoding`, or undefined when they are not valid in it. */
function strict(bytes: Buffer, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The text `bytes` hold (decompressed first when they are gzip or zlib data, at most `limit` bytes
 * out), or undefined when they are not valid text in the encoding they show. Control characters are
 * the caller's to judge.
 */
export function bytesText(bytes: Buffer, limit: number): string | undefined {
  const data = inflated(bytes, limit) ?? bytes;
  const encoding = encodingOf(data.subarray(0, 64), undefined);
  return strict(data, encoding);
}

/**
 * Whether `bytes` may start a raw deflate stream (RFC 1951 §3.2.3): its first block's type exists, and a
 * stored block's length is followed by its complement. Half of random bytes fail it, at no cost.
 */
function mayInflate(bytes: Buffer): boolean {
  const first = bytes[0] ?? 0;
  const type = (first >> 1) & 3;
  if (type === 3) return false;
  if (type !== 0) return true;
  const length = (bytes[1] ?? 0) | ((bytes[2] ?? 0) << 8);
  const complement = (bytes[3] ?? 0) | ((bytes[4] ?? 0) << 8);
  return length === (~complement & 0xffff);
}

/**
 * The text `bytes` hold once decompressed as raw deflate (RFC 1951, zlib's `deflateRaw`, Java's
 * `Deflater(nowrap)`) or as brotli (RFC 7932): formats with no header to tell them, so each is tried
 * on bytes that are not text as they are; at most `limit` bytes out. Undefined when neither
 * decompresses to valid text (random bytes, a hash, an image seldom do; control characters are the
 * caller's to judge, as in {@link bytesText}).
 */
export function headerlessText(bytes: Buffer, limit: number): string | undefined {
  for (const decompress of [inflateRawSync, brotliDecompressSync]) {
    if (decompress === inflateRawSync && !mayInflate(bytes)) continue;
    let data: Buffer;
    try {
      data = decompress(bytes, { maxOutputLength: limit });
    } catch {
      continue;
    }
    const text = data.length === 0 ? undefined : strict(data, encodingOf(data.subarray(0, 64), undefined));
    if (text !== undefined) return text;
  }
  return undefined;
}
