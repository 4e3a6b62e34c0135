/**
 * A received `grpc-status-details-bin` (`google.rpc.Status`), decoded with @bufbuild/protobuf and
 * the generated google/rpc types: ErrorInfo, RequestInfo, RetryInfo and BadRequest are read. This
 * module loads the protobuf runtime (about +6 MB RSS), so a gRPC server loads it only once a
 * thrown error carries a rich status to read; encoding is `status-encode.ts`, without it.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { isUuid } from '../correlation.js';
import {
  BadRequestSchema,
  ErrorInfoSchema,
  RequestInfoSchema,
  RetryInfoSchema,
} from './gen/google/rpc/error_details_pb.js';
import { StatusSchema } from './gen/google/rpc/status_pb.js';

/** What a received `google.rpc.Status` says, as far as Faultline reads it. */
export interface DecodedStatusDetails {
  readonly code: number;
  readonly message: string;
  /** ErrorInfo.reason: the upstream's stable code. */
  readonly reason: string | undefined;
  readonly domain: string | undefined;
  /**
   * The upstream's correlation id (ErrorInfo metadata or RequestInfo): the first one that is a
   * UUID, else the first one given (callers check it is a UUID before using it).
   */
  readonly requestId: string | undefined;
  readonly fieldViolations: readonly { readonly field: string; readonly description: string }[];
  /** RetryInfo's delay in whole seconds, rounded up (its nanos count); undefined when the Duration is negative or not valid. */
  readonly retryDelaySeconds: number | undefined;
  /** ErrorInfo metadata other than the request id: the code's public parameters. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * A `google.protobuf.Duration` as a delay in whole seconds, rounded up (a client told to wait
 * 0.5 s must not retry at once); `undefined` for a Duration that is not valid or is negative
 * (`nanos` outside 0 to 999,999,999 or of the other sign than `seconds`, or `seconds` below 0),
 * which would otherwise round to 0, "retry now", or to a delay no server meant.
 */
function delaySeconds(seconds: bigint, nanos: number): number | undefined {
  if (seconds < 0n || nanos < 0 || nanos > 999_999_999) return undefined;
  return Math.ceil(Number(seconds) + nanos / 1e9);
}

/** The id kept so far or the one just read: a UUID wins over anything that is not one, the first wins among equals. */
function betterId(kept: string | undefined, read: string | undefined): string | undefined {
  if (kept === undefined || (read !== undefined && !isUuid(kept) && isUuid(read))) return read ?? kept;
  return kept;
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
        requestId = betterId(requestId, info.metadata.requestId);
        const { requestId: _id, ...rest } = info.metadata;
        params = rest;
        continue;
      }
      const request = anyUnpack(any, RequestInfoSchema);
      if (request !== undefined) {
        requestId = betterId(requestId, request.requestId);
        continue;
      }
      const retry = anyUnpack(any, RetryInfoSchema);
      if (retry?.retryDelay !== undefined) {
        retryDelaySeconds = delaySeconds(retry.retryDelay.seconds, retry.retryDelay.nanos);
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
