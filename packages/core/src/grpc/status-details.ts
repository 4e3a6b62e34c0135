/**
 * `google.rpc.Status` for `grpc-status-details-bin`, encoded and decoded with @bufbuild/protobuf
 * and the generated google/rpc types. Code and message always equal `grpc-status` and
 * `grpc-message` (grpcio-status and grpc-go reject a blob that differs); the details are
 * ErrorInfo, RequestInfo and, where relevant, BadRequest or RetryInfo; never DebugInfo.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { anyPack, anyUnpack, DurationSchema } from '@bufbuild/protobuf/wkt';
import type { Fault } from '../fault.js';
import type { FieldViolation } from '../field-violation.js';
import {
  BadRequest_FieldViolationSchema,
  BadRequestSchema,
  ErrorInfoSchema,
  RequestInfoSchema,
  RetryInfoSchema,
} from './gen/google/rpc/error_details_pb.js';
import { StatusSchema } from './gen/google/rpc/status_pb.js';

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

function badRequest(violations: readonly FieldViolation[]) {
  return create(BadRequestSchema, {
    fieldViolations: violations.map((v) =>
      create(BadRequest_FieldViolationSchema, { field: fieldPathOf(v.pointer), description: v.detail }),
    ),
  });
}

/** A fixed-length stand-in for the correlation id in pre-encoded templates. */
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

interface DetailsTemplate {
  readonly bytes: Buffer;
  readonly offsets: readonly number[];
}

const templates = new WeakMap<object, Map<string, DetailsTemplate>>();

/**
 * Pre-encoded details per code definition, domain and retry-after: encoded once with a
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
  const key = `${domain}\u0000${fault.retryAfter ?? ''}\u0000${fault.grpcCode}`;
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

function encodeFull(fault: Fault, domain: string): Uint8Array {
  const details = [
    anyPack(
      ErrorInfoSchema,
      create(ErrorInfoSchema, {
        reason: fault.code,
        domain,
        // Public parameters travel as ErrorInfo metadata (strings), next to the request id.
        metadata: {
          ...Object.fromEntries(Object.entries(fault.params).map(([k, v]) => [k, String(v)])),
          requestId: fault.id,
        },
      }),
    ),
    anyPack(RequestInfoSchema, create(RequestInfoSchema, { requestId: fault.id })),
  ];
  if (fault.retryAfter !== undefined) {
    details.push(
      anyPack(
        RetryInfoSchema,
        create(RetryInfoSchema, { retryDelay: create(DurationSchema, { seconds: BigInt(fault.retryAfter) }) }),
      ),
    );
  }
  const withViolations =
    fault.fieldViolations.length > 0
      ? [...details, anyPack(BadRequestSchema, badRequest(fault.fieldViolations))]
      : details;
  const encode = (list: typeof details) =>
    toBinary(StatusSchema, create(StatusSchema, { code: fault.grpcCode, message: fault.message, details: list }));
  const full = encode(withViolations);
  // Field violations are the only part whose size depends on the request: drop them before the cap.
  return full.byteLength <= MAX_DETAILS_BYTES ? full : encode(details);
}

/** What a received `google.rpc.Status` says, as far as Faultline reads it. */
export interface DecodedStatusDetails {
  readonly code: number;
  readonly message: string;
  /** ErrorInfo.reason: the upstream's stable code. */
  readonly reason: string | undefined;
  readonly domain: string | undefined;
  /** The upstream's correlation id (ErrorInfo metadata or RequestInfo). */
  readonly requestId: string | undefined;
  readonly fieldViolations: readonly { readonly field: string; readonly description: string }[];
  readonly retryDelaySeconds: number | undefined;
  /** ErrorInfo metadata other than the request id: the code's public parameters. */
  readonly params: Readonly<Record<string, string>>;
}

/** Decodes a `grpc-status-details-bin` value; `undefined` when it is not a valid `google.rpc.Status`. */
export function decodeStatusDetails(bytes: Uint8Array): DecodedStatusDetails | undefined {
  try {
    const status = fromBinary(StatusSchema, bytes);
    let reason: string | undefined;
    let domain: string | undefined;
    let requestId: string | undefined;
    let retryDelaySeconds: number | undefined;
    let fieldViolations: { field: string; description: string }[] = [];
    let params: Record<string, string> = {};
    for (const any of status.details) {
      const info = anyUnpack(any, ErrorInfoSchema);
      if (info !== undefined) {
        reason = info.reason;
        domain = info.domain;
        requestId ??= info.metadata.requestId;
        const { requestId: _id, ...rest } = info.metadata;
        params = rest;
        continue;
      }
      const request = anyUnpack(any, RequestInfoSchema);
      if (request !== undefined) {
        requestId ??= request.requestId;
        continue;
      }
      const retry = anyUnpack(any, RetryInfoSchema);
      if (retry?.retryDelay !== undefined) {
        retryDelaySeconds = Number(retry.retryDelay.seconds);
        continue;
      }
      const bad = anyUnpack(any, BadRequestSchema);
      if (bad !== undefined) {
        fieldViolations = bad.fieldViolations.map((v) => ({ field: v.field, description: v.description }));
      }
    }
    return {
      code: status.code,
      message: status.message,
      reason,
      domain,
      requestId,
      fieldViolations,
      retryDelaySeconds,
      params,
    };
  } catch {
    return undefined;
  }
}
