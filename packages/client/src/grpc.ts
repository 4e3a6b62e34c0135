/**
 * Decoding a grpc-js `ServiceError` into a {@link RemoteFault} (Node entry `@faultline/client/grpc`):
 * the status code, `grpc-status-details-bin` (ErrorInfo reason and request id, BadRequest field
 * violations, RetryInfo) and `x-request-id`. A status without Faultline's details decodes by code.
 */
import { decodeStatusDetails } from '@faultline/core';
import {
  type CatalogLike,
  categoryOfCode,
  categoryOfGrpcCode,
  paramsOf,
  type RemoteFault,
  remoteFault,
  typedParams,
  uuidOrUndefined,
} from './remote-fault.js';

/** The part of a grpc-js `ServiceError` the decoder reads. */
export interface ServiceErrorLike {
  /** The gRPC status code. */
  readonly code: number;
  /** The status message (generic text from a Faultline server). */
  readonly details?: string;
  /** Trailers: `x-request-id` and `grpc-status-details-bin` are read. */
  readonly metadata?:
    | {
        /** The values of one key (grpc-js `Metadata#get`). */
        get(key: string): unknown[];
      }
    | undefined;
}

/** `items[0].qty` -> `/items/0/qty`. */
function pointerOf(field: string): string {
  const segments = field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '');
  return segments.length === 0 ? '' : `/${segments.join('/')}`;
}

/** Decodes a failed call. Never throws. */
export function decodeGrpcFault<Code extends string = never>(
  error: ServiceErrorLike,
  catalog?: CatalogLike<Code>,
): RemoteFault<Code> {
  let blob: unknown;
  let header: unknown;
  try {
    blob = error.metadata?.get('grpc-status-details-bin')[0];
    header = error.metadata?.get('x-request-id')[0];
  } catch {
    // metadata that cannot be read: decode by code
  }
  const decoded = blob instanceof Uint8Array ? decodeStatusDetails(blob) : undefined;
  const fallback = categoryOfGrpcCode(error.code);
  if (decoded === undefined || decoded.code !== error.code || decoded.reason === undefined) {
    return remoteFault({ protocol: 'grpc', category: fallback, requestId: uuidOrUndefined(header), conforming: false });
  }
  return remoteFault({
    protocol: 'grpc',
    category: categoryOfCode(decoded.reason, fallback, catalog),
    code: decoded.reason,
    message: decoded.message,
    requestId: uuidOrUndefined(decoded.requestId) ?? uuidOrUndefined(header),
    retryAfter: decoded.retryDelaySeconds,
    fieldViolations: decoded.fieldViolations.map((v) => ({ pointer: pointerOf(v.field), detail: v.description })),
    params: typedParams(paramsOf(decoded.params), decoded.reason, catalog),
    conforming: true,
  });
}
