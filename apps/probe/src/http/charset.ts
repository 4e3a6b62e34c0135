/**
 * A body's text as a client decodes it: by its byte order mark (UTF-8, UTF-16LE, UTF-16BE), else by
 * the `charset` of its Content-Type, else as UTF-8. A leak sent in UTF-16 is as readable to a client
 * as one in UTF-8; read as UTF-8 it would hide between NUL bytes from every signature.
 */

/** The UTF-16 encoding `content-type`'s charset names, if it names one (`utf-16` alone is big-endian, RFC 2781). */
function utf16Of(contentType: string): 'utf-16le' | 'utf-16be' | undefined {
  const charset = /;\s*charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset === 'utf-16le' || charset === 'ucs-2') return 'utf-16le';
  if (charset === 'utf-16be' || charset === 'utf-16') return 'utf-16be';
  return undefined;
}

/** The encoding `body`'s byte order mark names, if it starts with one. */
function bomOf(body: Buffer): 'utf-8' | 'utf-16le' | 'utf-16be' | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** The encoding of a body starting with `start`: its byte order mark's, else `contentType`'s charset's, else UTF-8. */
export function encodingOf(start: Buffer, contentType: string | undefined): 'utf-8' | 'utf-16le' | 'utf-16be' {
  return bomOf(start) ?? utf16Of(contentType ?? '') ?? 'utf-8';
}

/** The text of `body` for a reader, decoded by its byte order mark or the charset of `contentType`. */
export function bodyText(body: Buffer, contentType: string | undefined): string {
  // TextDecoder drops a byte order mark of its own encoding.
  return new TextDecoder(encodingOf(body, contentType)).decode(body);
}

/** Between the kept head and tail of a body whose middle was not kept: a line break, so no match spans the gap. */
const GAP = '\n\n';

/**
 * The text of a body kept as a head and a tail (see `BodyWindow`): one text when nothing was
 * dropped, else both decoded alike (the head's byte order mark or the charset names the encoding
 * of the whole body), a UTF-16 tail realigned to its code units, joined with a gap.
 */
export function keptText(
  kept: { readonly head: Buffer; readonly tail: Buffer; readonly skipped: number },
  contentType: string | undefined,
): string {
  if (kept.skipped === 0) return bodyText(Buffer.concat([kept.head, kept.tail]), contentType);
  const encoding = encodingOf(kept.head, contentType);
  const misaligned = encoding !== 'utf-8' && (kept.head.length + kept.skipped) % 2 === 1;
  const tail = misaligned ? kept.tail.subarray(1) : kept.tail;
  return `${bodyText(kept.head, contentType)}${GAP}${new TextDecoder(encoding).decode(tail)}`;
}
