/**
 * The few protobuf wire-format primitives the status encoder needs (varints and length-delimited
 * fields), written by hand so that a gRPC server never loads the protobuf runtime: with
 * @bufbuild/protobuf at start, a Faultline gRPC server was +11.7 MB RSS over stock against a goal
 * of 6 (see `status-encode.ts`). Encoding rules follow proto3 as @bufbuild/protobuf applies them;
 * the tests compare every byte with the library's output.
 */

/** Wire type of varint fields (int32, int64, enum). */
const VARINT = 0;
/** Wire type of length-delimited fields (string, bytes, embedded message). */
const LENGTH_DELIMITED = 2;

/** The bytes of `value` as a protobuf varint: non-negative integers as they are, negatives as 64-bit two's complement. */
export function varint(value: number | bigint): number[] {
  const out: number[] = [];
  if (typeof value === 'number' && value >= 0 && Number.isSafeInteger(value)) {
    let rest = value;
    while (rest > 0x7f) {
      out.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    out.push(rest);
    return out;
  }
  // BigInt() throws on a non-integer, as the library's int64 conversion does.
  let rest = BigInt.asUintN(64, BigInt(value));
  while (rest > 0x7fn) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}

/** One encoded field, or nothing (`undefined`) when proto3 omits it. */
export type Field = Uint8Array | undefined;

/** A varint field; omitted when the value is 0 (proto3 implicit presence). */
export function varintField(field: number, value: number | bigint): Field {
  if (value === 0 || value === 0n) return undefined;
  return Uint8Array.from([...varint((field << 3) | VARINT), ...varint(value)]);
}

/** A length-delimited field holding `payload` (always written: embedded messages, map entries). */
export function bytesField(field: number, payload: Uint8Array): Uint8Array {
  const head = [...varint((field << 3) | LENGTH_DELIMITED), ...varint(payload.byteLength)];
  const out = new Uint8Array(head.length + payload.byteLength);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** A string field, UTF-8 (lone surrogates become U+FFFD, as with TextEncoder); omitted when empty. */
export function stringField(field: number, value: string): Field {
  return value === '' ? undefined : bytesField(field, Buffer.from(value, 'utf8'));
}

/** A string written even when empty (map entry keys and values). */
export function stringAlways(field: number, value: string): Uint8Array {
  return bytesField(field, Buffer.from(value, 'utf8'));
}

/** A message: its fields in order, the omitted ones left out. */
export function message(fields: readonly Field[]): Uint8Array {
  let size = 0;
  for (const field of fields) size += field?.byteLength ?? 0;
  const out = new Uint8Array(size);
  let at = 0;
  for (const field of fields) {
    if (field === undefined) continue;
    out.set(field, at);
    at += field.byteLength;
  }
  return out;
}
