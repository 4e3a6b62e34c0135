/**
 * Decoded bytes as the text they hold, when they hold text: UTF-8, UTF-16 (by its byte order mark or
 * where its NUL bytes are: .NET's `Encoding.Unicode`), or either of them gzip- or zlib-compressed (a
 * debug blob compressed before it was base64-encoded, a body gzipped without a Content-Encoding).
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { encodingOf } from './http/charset.js';

/** gzip's magic and method (RFC 1952), and a zlib header (RFC 1950: deflate, a check that holds). */
export function compressed(bytes: Buffer): 'gzip' | 'zlib' | undefined {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08) return 'gzip';
  const [cmf, flg] = [bytes[0] ?? 0, bytes[1] ?? 0];
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0 ? 'zlib' : undefined;
}

/** `bytes` decompressed (at most `limit` bytes out), or undefined when they do not decompress. */
function inflated(bytes: Buffer, limit: number): Buffer | undefined {
  const kind = compressed(bytes);
  if (kind === undefined) return undefined;
  try {
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
