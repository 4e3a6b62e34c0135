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
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** Field numbers of `google.rpc.Status` written at most once by any encoder: `code` and `message`. */
const SINGULAR = new Set([1, 2]);

/**
 * True when `bytes` are one well-formed run of protobuf fields in which `code` (1) and `message`
 * (2) each come at most once at the top level; false for the bytes of two statuses run together
 * (a `grpc-status-details-bin` sent twice) and for bytes that are not protobuf, or nest groups
 * deeper than protobuf-es decodes (100: the status's decoder would refuse them too). Read with
 * protobuf-es's `BinaryReader`, field by field without decoding.
 */
export function isSingleStatus(bytes: Uint8Array): boolean {
  const seen = new Set<number>();
  try {
    const reader = new BinaryReader(bytes);
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      if (wireType === WireType.EndGroup) return false; // an end without its start
      if (SINGULAR.has(field)) {
        if (seen.has(field)) return false;
        seen.add(field);
      }
      reader.skip(wireType, field);
    }
    return true;
  } catch {
    return false;
  }
}
