/**
 * `grpc-status-details-bin` as the base64 text grpc-js writes into the trailers, spliced per call
 * from a template instead of copied and re-encoded. grpc-js copies a trailer's Buffer when it
 * clones the status metadata and then base64-encodes the copy, for every failed call; the
 * details of one code differ between calls only by the 36 bytes of the request id (twice:
 * ErrorInfo metadata and RequestInfo). So each template keeps the base64 of the bytes around the
 * ids, and a call encodes only the few bytes around each id (aligned to whole base64 groups) from
 * a scratch copy of the template. The text equals `encodeStatusDetails(fault, domain)` in base64.
 */
import { encodeStatusDetails, type Fault } from '@faultline/core/adapter';

/** A fixed-length stand-in for the request id while a template is encoded. */
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';
const UUID_SHAPE = /^[0-9a-f-]{36}$/i;

interface Template {
  readonly domain: string;
  readonly grpcCode: number;
  readonly retryAfter: number | undefined;
  readonly message: string;
  /** The template's bytes; the ids are written over the placeholder's, one call at a time. */
  readonly scratch: Buffer;
  readonly offsets: readonly number[];
  /** Base64 of the bytes between the windows: `constant[0] window[0] constant[1] ... constant[n]`. */
  readonly constants: readonly string[];
  /** Byte ranges `[start, end)` around each id, aligned to 3 bytes (whole base64 groups). */
  readonly windows: readonly (readonly [number, number])[];
}

const templates = new WeakMap<object, Template[]>();

function build(fault: Fault, domain: string): Template | undefined {
  const encoded = encodeStatusDetails({ ...fault, id: PLACEHOLDER_ID } as Fault, domain);
  const scratch = Buffer.from(encoded);
  const offsets: number[] = [];
  for (let at = scratch.indexOf(PLACEHOLDER_ID); at !== -1; at = scratch.indexOf(PLACEHOLDER_ID, at + 1))
    offsets.push(at);
  if (offsets.length === 0) return undefined;
  const windows: [number, number][] = [];
  for (const offset of offsets) {
    const start = offset - (offset % 3);
    const end = Math.min(scratch.length, Math.ceil((offset + PLACEHOLDER_ID.length) / 3) * 3);
    const last = windows[windows.length - 1];
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else windows.push([start, end]);
  }
  const constants: string[] = [];
  let from = 0;
  for (const [start, end] of windows) {
    constants.push(scratch.toString('base64', from, start));
    from = end;
  }
  constants.push(scratch.toString('base64', from));
  return {
    domain,
    grpcCode: fault.grpcCode,
    retryAfter: fault.retryAfter,
    message: fault.message,
    scratch,
    offsets,
    constants,
    windows,
  };
}

function templateFor(fault: Fault, domain: string): Template | undefined {
  // The cases core encodes in full (request-dependent bytes): no template either.
  if (fault.fieldViolations.length > 0 || fault.definition.params !== undefined || !UUID_SHAPE.test(fault.id))
    return undefined;
  let list = templates.get(fault.definition);
  if (list === undefined) {
    list = [];
    templates.set(fault.definition, list);
  }
  for (const template of list) {
    if (
      template.domain === domain &&
      template.grpcCode === fault.grpcCode &&
      template.retryAfter === fault.retryAfter &&
      template.message === fault.message
    )
      return template;
  }
  const made = build(fault, domain);
  // A bounded list: a code raised with many messages or delays is encoded in full past this.
  if (made !== undefined && list.length < 8) list.push(made);
  return made;
}

/** `encodeStatusDetails(fault, domain)` as base64 text, spliced from a template when it can be. */
export function detailsBase64(fault: Fault, domain: string): string {
  const template = templateFor(fault, domain);
  if (template === undefined) return Buffer.from(encodeStatusDetails(fault, domain)).toString('base64');
  const { scratch, offsets, constants, windows } = template;
  for (const offset of offsets) scratch.write(fault.id, offset, 'latin1');
  let text = constants[0] ?? '';
  for (let i = 0; i < windows.length; i += 1) {
    const window = windows[i] as readonly [number, number];
    text += scratch.toString('base64', window[0], window[1]) + (constants[i + 1] ?? '');
  }
  return text;
}
