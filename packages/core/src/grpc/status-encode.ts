/**
 * `google.rpc.Status` for `grpc-status-details-bin`, encoded without the protobuf runtime. A
 * server only ever encodes this small fixed set (Status with Any details: ErrorInfo, RequestInfo,
 * RetryInfo, BadRequest), and loading @bufbuild/protobuf for it cost a gRPC server +6.2 MB RSS and
 * +2.1 MB heap at start (measured, `bench:memory`), which broke the 6 MB start goal of issue 21;
 * even the library's `wire` writer alone costs +1.5 MB RSS. Decoding (a received rich status) keeps
 * the library: `status-details.ts`, loaded only when a status must be read. The tests compare
 * these bytes with @bufbuild/protobuf's for every category.
 *
 * Code and message always equal `grpc-status` and `grpc-message` (grpcio-status and grpc-go reject
 * a blob that differs); never DebugInfo.
 */
import type { Fault } from '../fault.js';
import type { FieldViolation } from '../field-violation.js';
import { bytesField, type Field, message, stringAlways, stringField, varintField } from './wire.js';

/** Largest `grpc-status-details-bin` value sent (clients cap all trailers near 8 KiB). */
export const MAX_DETAILS_BYTES = 4096;

/**
 * A JSON Pointer as an AIP-193 field path: `/items/0/qty` -> `items[0].qty`.
 */
export function fieldPathOf(pointer: string): string {
  let path = '';
  for (const segment of pointer.split('/').slice(1)) {
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}

/** `google.protobuf.Any` holding `value` (encoded) of the google.rpc type `name`. */
function any(name: string, value: Uint8Array): Uint8Array {
  return message([
    stringField(1, `type.googleapis.com/google.rpc.${name}`),
    value.byteLength === 0 ? undefined : bytesField(2, value),
  ]);
}

/** ErrorInfo { reason = 1; domain = 2; map<string, string> metadata = 3 }: every entry keeps key and value. */
function errorInfo(reason: string, domain: string, metadata: Readonly<Record<string, string>>): Uint8Array {
  const fields: Field[] = [stringField(1, reason), stringField(2, domain)];
  for (const key of Object.keys(metadata))
    fields.push(bytesField(3, message([stringAlways(1, key), stringAlways(2, metadata[key] ?? '')])));
  return message(fields);
}

/** RetryInfo { Duration retry_delay = 1 }, Duration { int64 seconds = 1; int32 nanos = 2 }. */
function retryInfo(seconds: number): Uint8Array {
  // BigInt() throws on a non-integer, exactly where the library's int64 conversion does.
  return message([bytesField(1, message([varintField(1, BigInt(seconds))]))]);
}

/** BadRequest { repeated FieldViolation field_violations = 1 }, FieldViolation { field = 1; description = 2 }. */
function badRequest(violations: readonly FieldViolation[]): Uint8Array {
  return message(
    violations.map((v) => bytesField(1, message([stringField(1, fieldPathOf(v.pointer)), stringField(2, v.detail)]))),
  );
}

/** Status { int32 code = 1; string message = 2; repeated Any details = 3 }. */
function status(code: number, text: string, details: readonly Uint8Array[]): Uint8Array {
  return message([varintField(1, code), stringField(2, text), ...details.map((d) => bytesField(3, d))]);
}

/** The whole Status of `fault`, field violations dropped when they would pass {@link MAX_DETAILS_BYTES}. */
function encodeFull(fault: Fault, domain: string): Uint8Array {
  // Public parameters travel as ErrorInfo metadata (strings), next to the request id.
  const metadata: Record<string, string> = {
    ...Object.fromEntries(Object.entries(fault.params).map(([k, v]) => [k, String(v)])),
    requestId: fault.id,
  };
  const details = [
    any('ErrorInfo', errorInfo(fault.code, domain, metadata)),
    any('RequestInfo', message([stringField(1, fault.id)])),
  ];
  if (fault.retryAfter !== undefined) details.push(any('RetryInfo', retryInfo(fault.retryAfter)));
  if (fault.fieldViolations.length > 0) {
    const full = status(fault.grpcCode, fault.message, [
      ...details,
      any('BadRequest', badRequest(fault.fieldViolations)),
    ]);
    // Field violations are the only part whose size depends on the request: drop them before the cap.
    if (full.byteLength <= MAX_DETAILS_BYTES) return full;
  }
  return status(fault.grpcCode, fault.message, details);
}

/** A fixed-length stand-in for the correlation id in pre-encoded templates. */
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

interface DetailsTemplate {
  readonly bytes: Buffer;
  readonly offsets: readonly number[];
}

const templates = new WeakMap<object, Map<string, DetailsTemplate>>();

/**
 * Pre-encoded details per code definition, domain, retry-after, code and message: encoded once with a
 * placeholder id, whose bytes are then overwritten with the real id (a UUID always has 36 ASCII
 * bytes, so lengths and offsets never change). Faults with field violations are encoded in full.
 */
function templateFor(fault: Fault, domain: string): DetailsTemplate | undefined {
  if (
    fault.fieldViolations.length > 0 ||
    fault.definition.params !== undefined ||
    fault.id.length !== PLACEHOLDER_ID.length ||
    !/^[0-9a-f-]+$/i.test(fault.id)
  ) {
    return undefined;
  }
  let byDefinition = templates.get(fault.definition);
  if (byDefinition === undefined) {
    byDefinition = new Map();
    templates.set(fault.definition, byDefinition);
  }
  const key = `${domain}\u0000${fault.retryAfter ?? ''}\u0000${fault.grpcCode}\u0000${fault.message}`;
  let template = byDefinition.get(key);
  if (template === undefined) {
    const bytes = Buffer.from(encodeFull({ ...fault, id: PLACEHOLDER_ID }, domain));
    const marker = Buffer.from(PLACEHOLDER_ID);
    const offsets: number[] = [];
    for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, at + 1)) offsets.push(at);
    template = { bytes, offsets };
    byDefinition.set(key, template);
  }
  return template;
}

/** Encodes the `google.rpc.Status` of `fault`, with `domain` in its ErrorInfo. */
export function encodeStatusDetails(fault: Fault, domain: string): Uint8Array {
  const template = templateFor(fault, domain);
  if (template === undefined) return encodeFull(fault, domain);
  const bytes = Buffer.from(template.bytes);
  for (const offset of template.offsets) bytes.write(fault.id, offset, 'latin1');
  return bytes;
}
