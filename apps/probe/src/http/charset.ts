/**
 * A body's text as a client decodes it: by its byte order mark (UTF-8, UTF-16LE, UTF-16BE), else by
 * the `charset` of its Content-Type, else as UTF-8. A leak sent in UTF-16 is as readable to a client
 * as one in UTF-8; read as UTF-8 it would hide between NUL bytes from every signature. UTF-16 without
 * a byte order mark has its byte order told by where its NUL bytes are (ASCII text in UTF-16LE has
 * them at odd offsets): `charset=utf-16` alone is little-endian to a browser (WHATWG Encoding) and
 * big-endian by RFC 2781, and a body without a charset whose bytes are plainly UTF-16 is read as such
 * (a reader sniffing its encoding sees the text).
 */

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** How many bytes of a body's start {@link encodingOf} looks at. */
export const SNIFF_BYTES = 64;

/** The UTF-16 byte order of `start` by where its NUL bytes are, when nearly every code unit has one NUL. */
function utf16Order(start: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const units = Math.floor(Math.min(start.length, SNIFF_BYTES) / 2);
  if (units < 4) return undefined;
  let even = 0;
  let odd = 0;
  for (let unit = 0; unit < units; unit += 1) {
    if (start[2 * unit] === 0) even += 1;
    if (start[2 * unit + 1] === 0) odd += 1;
  }
  if (odd >= units * 0.75 && even === 0) return 'utf-16le';
  if (even >= units * 0.75 && odd === 0) return 'utf-16be';
  return undefined;
}

/** The UTF-16 encoding `content-type`'s charset names, if it names one (`utf-16` alone: by its bytes, else little-endian). */
function utf16Of(contentType: string, start: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const charset = /;\s*charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset === 'utf-16le' || charset === 'ucs-2') return 'utf-16le';
  if (charset === 'utf-16be') return 'utf-16be';
  if (charset === 'utf-16') return utf16Order(start) ?? 'utf-16le';
  return charset === undefined || charset === 'utf-8' ? utf16Order(start) : undefined;
}

/** The encoding `body`'s byte order mark names, if it starts with one. */
function bomOf(body: Buffer): Encoding | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * The encoding of a body starting with `start` (its first {@link SNIFF_BYTES} bytes or fewer): its byte
 * order mark's, else `contentType`'s charset's, else UTF-16 when its bytes plainly are, else UTF-8.
 */
export function encodingOf(start: Buffer, contentType: string | undefined): Encoding {
  return bomOf(start) ?? utf16Of(contentType ?? '', start) ?? 'utf-8';
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
