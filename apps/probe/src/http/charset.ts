/**
 * A body's text as a client decodes it: by its byte order mark (UTF-8, UTF-16LE, UTF-16BE), else by
 * the `charset` of its Content-Type, else as UTF-8. A leak sent in UTF-16 is as readable to a client
 * as one in UTF-8; read as UTF-8 it would hide between NUL bytes from every signature.
 */

/** The UTF-16 byte order `content-type`'s charset names, if it names one (`utf-16` alone is big-endian, RFC 2781). */
function utf16Of(contentType: string): 'le' | 'be' | undefined {
  const charset = /;\s*charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset === 'utf-16le' || charset === 'ucs-2') return 'le';
  if (charset === 'utf-16be' || charset === 'utf-16') return 'be';
  return undefined;
}

/** `bytes` with each pair of bytes swapped (an odd last byte dropped): UTF-16BE to UTF-16LE. */
function swapped(bytes: Buffer): Buffer {
  const even = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return even.swap16();
}

/** The text of `body` for a reader, decoded by its byte order mark or the charset of `contentType`. */
export function bodyText(body: Buffer, contentType: string | undefined): string {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return body.subarray(3).toString('utf8');
  if (body[0] === 0xff && body[1] === 0xfe) return body.subarray(2).toString('utf16le');
  if (body[0] === 0xfe && body[1] === 0xff) return swapped(body.subarray(2)).toString('utf16le');
  const utf16 = utf16Of(contentType ?? '');
  if (utf16 === 'le') return body.toString('utf16le');
  if (utf16 === 'be') return swapped(body).toString('utf16le');
  return body.toString('utf8');
}
