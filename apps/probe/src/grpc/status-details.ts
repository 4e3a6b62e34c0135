/**
 * The rich status a gRPC server may send in `grpc-status-details-bin`: a `google.rpc.Status` whose
 * details are `Any` messages (`DebugInfo` with its stack entries and detail, `ErrorInfo`,
 * `LocalizedMessage`…). A client decodes it; the probe reads every string it holds, whatever the
 * message types, by walking the protobuf wire format: each string on its own line, as a stack's
 * frames are. Bounded in depth, in fields and in text.
 */

const LIMITS = { depth: 8, fields: 2000, chars: 262_144 } as const;

/** Control characters other than tab and line ends: such bytes are a message, not text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;

/** The varint at `at` in `bytes` and the offset after it, or undefined when it is not one. */
function varint(bytes: Buffer, at: number): [number, number] | undefined {
  let value = 0;
  for (let shift = 0, i = at; i < bytes.length && shift < 35; shift += 7, i += 1) {
    const byte = bytes[i] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  return undefined;
}

/** The length-delimited payloads of `bytes` read as a message, or undefined when it is not one. */
function payloads(bytes: Buffer, budget: { fields: number }): Buffer[] | undefined {
  const found: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    budget.fields -= 1;
    if (budget.fields < 0) return undefined;
    const key = varint(bytes, at);
    if (key === undefined || key[0] < 8) return undefined;
    at = key[1];
    const wire = key[0] % 8;
    if (wire === 0) {
      const value = varint(bytes, at);
      if (value === undefined) return undefined;
      at = value[1];
    } else if (wire === 1 || wire === 5) at += wire === 1 ? 8 : 4;
    else if (wire === 2) {
      const length = varint(bytes, at);
      if (length === undefined || length[1] + length[0] > bytes.length) return undefined;
      found.push(bytes.subarray(length[1], length[1] + length[0]));
      at = length[1] + length[0];
    } else return undefined;
  }
  return at === bytes.length ? found : undefined;
}

/** Every string in the protobuf message `bytes` (nested messages walked), in order. */
export function protobufStrings(bytes: Buffer): string[] {
  const strings: string[] = [];
  const budget = { fields: LIMITS.fields, chars: LIMITS.chars };
  const walk = (message: Buffer, depth: number): boolean => {
    const parts = depth > LIMITS.depth ? undefined : payloads(message, budget);
    if (parts === undefined) return false;
    for (const part of parts) {
      if (budget.chars <= 0) break;
      // A nested message first (its tags and lengths may all be printable: `\n5at handler (…)`), then text.
      const before = strings.length;
      if ((walk(part, depth + 1) && strings.length > before) || part.length === 0) continue;
      const utf8 = part.toString('utf8');
      const text = CONTROL.test(utf8) ? part.toString('latin1') : utf8;
      strings.push(text.slice(0, budget.chars));
      budget.chars -= text.length;
    }
    return true;
  };
  return walk(bytes, 0) ? strings : [];
}

/** The text of a `grpc-status-details-bin` value: its strings one a line (its bytes, when it is not a message). */
export function statusDetailsText(value: Buffer): string {
  const strings = protobufStrings(value);
  return strings.length === 0 ? value.toString('latin1') : strings.join('\n\t');
}
