/**
 * `grpc-status-details-bin` as the base64 text grpc-js writes into the trailers, spliced per call
 * from a template instead of copied and re-encoded. grpc-js copies a trailer's Buffer when it
 * clones the status metadata and then base64-encodes the copy, for every failed call; the
 * details of one code differ between calls only by the 36 bytes of the request id (twice:
 * ErrorInfo metadata and RequestInfo). So each template keeps the base64 of the bytes before the
 * first id and after the last one, and a call encodes only the span from the first id to the last
 * (aligned to whole base64 groups) from a scratch copy of the template, in one call: two calls
 * into Buffer's encoder, one a window, cost more than the bytes between the ids. The text equals
 * `encodeStatusDetails(fault, domain)` in base64.
 */
import { encodeStatusDetails, type Fault } from '@faultline/core/adapter';

/** A fixed-length stand-in for the request id while a template is encoded. */
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

interface Template {
  readonly domain: string;
  readonly grpcCode: number;
  readonly retryAfter: number | undefined;
  readonly message: string;
  /** The template's bytes; the ids are written over the placeholder's, one call at a time. */
  readonly scratch: Buffer;
  readonly offsets: readonly number[];
  /** Base64 of the bytes before {@link start}. */
  readonly head: string;
  /** Base64 of the bytes from {@link end} on. */
  readonly tail: string;
  /** The span `[start, end)` holding every id, aligned to 3 bytes (whole base64 groups). */
  readonly start: number;
  readonly end: number;
}

const templates = new WeakMap<object, Template[]>();

function build(fault: Fault, domain: string): Template | undefined {
  const encoded = encodeStatusDetails({ ...fault, id: PLACEHOLDER_ID } as Fault, domain);
  const scratch = Buffer.from(encoded);
  const offsets: number[] = [];
  for (let at = scratch.indexOf(PLACEHOLDER_ID); at !== -1; at = scratch.indexOf(PLACEHOLDER_ID, at + 1))
    offsets.push(at);
  if (offsets.length === 0) return undefined;
  const first = offsets[0] as number;
  const start = first - (first % 3);
  const end = Math.min(
    scratch.length,
    Math.ceil(((offsets[offsets.length - 1] as number) + PLACEHOLDER_ID.length) / 3) * 3,
  );
  return {
    domain,
    grpcCode: fault.grpcCode,
    retryAfter: fault.retryAfter,
    message: fault.message,
    scratch,
    offsets,
    head: scratch.toString('base64', 0, start),
    tail: scratch.toString('base64', end),
    start,
    end,
  };
}

function templateFor(fault: Fault, domain: string, printableId: boolean): Template | undefined {
  // The cases core encodes in full (request-dependent bytes): no template either. An id of 36
  // printable ASCII characters is 36 bytes, as the placeholder's: lengths and offsets hold.
  if (
    !printableId ||
    fault.id.length !== PLACEHOLDER_ID.length ||
    fault.fieldViolations.length > 0 ||
    fault.definition.params !== undefined
  )
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

/** True when `text` is printable ASCII (space to `~`), grpc-js's rule for a value of a key not ending in `-bin`. */
export function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/**
 * `encodeStatusDetails(fault, domain)` as base64 text, spliced from a template when it can be.
 * `printableId` is {@link isPrintableAscii} of `fault.id`, when the caller knows it already.
 */
export function detailsBase64(fault: Fault, domain: string, printableId = isPrintableAscii(fault.id)): string {
  const template = templateFor(fault, domain, printableId);
  if (template === undefined) return Buffer.from(encodeStatusDetails(fault, domain)).toString('base64');
  const { scratch, offsets } = template;
  // The id written once, and copied within the Buffer to its other places: each `write` crosses
  // into C++ through Buffer's encoding look-up (about 850 instructions), a `copyWithin` about 200,
  // and a loop of `charCodeAt` over the id about 1,800 (callgrind, Node 20).
  const first = offsets[0] as number;
  scratch.write(fault.id, first, 'latin1');
  for (let i = 1; i < offsets.length; i += 1)
    scratch.copyWithin(offsets[i] as number, first, first + PLACEHOLDER_ID.length);
  return template.head + scratch.toString('base64', template.start, template.end) + template.tail;
}
