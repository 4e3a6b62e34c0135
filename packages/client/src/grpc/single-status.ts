/**
 * Telling one `google.rpc.Status` from several run together. grpc-js reads a
 * `grpc-status-details-bin` trailer sent more than once (or one holding a comma) as one value: it
 * base64-decodes the joined text `A, B` leniently, skipping the comma, so the bytes are both
 * statuses one after the other. Protobuf merges such bytes without a word: the last code, message
 * and ErrorInfo reason win and the details of both add up, so a second trailer (a proxy's, or one
 * a man in the middle appends) would silently take over the fault. An encoder writes each singular
 * field once; this reads the top-level fields of the bytes (without decoding them) to see whether
 * `code` or `message` comes twice.
 */

/** The varint at `at` as [value, next offset], or undefined when it runs past the end or over 10 bytes. */
function varintAt(bytes: Uint8Array, at: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0, next = at; i < 10 && next < bytes.length; i += 1) {
    const byte = bytes[next] ?? 0;
    next += 1;
    // Past 2^53 the value loses precision: such a length or tag is out of range anyway.
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return [value, next];
  }
  return undefined;
}

/** Field numbers of `google.rpc.Status` written at most once by any encoder: `code` and `message`. */
const SINGULAR = new Set([1, 2]);

/**
 * True when `bytes` are one well-formed run of protobuf fields in which `code` (1) and `message`
 * (2) each come at most once at the top level; false for the bytes of two statuses run together
 * (a `grpc-status-details-bin` sent twice) and for bytes that are not protobuf. Linear in the
 * length, with no recursion (groups, however deep, are counted, not descended into).
 */
export function isSingleStatus(bytes: Uint8Array): boolean {
  const seen = new Set<number>();
  let depth = 0;
  let at = 0;
  while (at < bytes.length) {
    const tag = varintAt(bytes, at);
    if (tag === undefined) return false;
    const [key, afterTag] = tag;
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (depth === 0 && SINGULAR.has(field)) {
      if (seen.has(field)) return false;
      seen.add(field);
    }
    at = afterTag;
    if (wireType === 0 || wireType === 2) {
      const value = varintAt(bytes, at);
      if (value === undefined) return false;
      at = wireType === 0 ? value[1] : value[1] + value[0];
    } else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else if (wireType === 3) depth += 1;
    else if (wireType === 4 && depth > 0) depth -= 1;
    else return false;
  }
  return at === bytes.length && depth === 0;
}
