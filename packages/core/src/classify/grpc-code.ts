/**
 * A gRPC status received from a downstream service (a grpc-js `ServiceError`), classified by its
 * code alone: no protobuf is loaded. A failure inside the downstream becomes bad gateway /
 * unavailable / timeout, and a refusal of this service's own credentials is internal. The
 * downstream's text and metadata are never kept. `@faultline/core/grpc` adds the classifier that
 * also reads the rich status (the downstream's stable code and request id); the gRPC adapter
 * uses that one by default.
 */
import { isObjectLike, type ObjectLike, safeGet } from '../safe-access.js';
import { type Category, GrpcStatus } from '../taxonomy.js';
import type { Classifier } from './types.js';

/** Metadata key of the rich status. */
export const GRPC_DETAILS_KEY = 'grpc-status-details-bin';

/** What a received gRPC code means for the calling service. */
const CALLER_CATEGORY: Readonly<Record<number, Category>> = {
  [GrpcStatus.CANCELLED]: 'cancelled',
  [GrpcStatus.UNKNOWN]: 'bad_gateway',
  [GrpcStatus.INVALID_ARGUMENT]: 'validation',
  [GrpcStatus.DEADLINE_EXCEEDED]: 'timeout',
  [GrpcStatus.NOT_FOUND]: 'not_found',
  [GrpcStatus.ALREADY_EXISTS]: 'conflict',
  // The downstream refused this service's credentials: never the end client's 401/403.
  [GrpcStatus.PERMISSION_DENIED]: 'internal',
  [GrpcStatus.UNAUTHENTICATED]: 'internal',
  [GrpcStatus.RESOURCE_EXHAUSTED]: 'unavailable',
  [GrpcStatus.FAILED_PRECONDITION]: 'precondition_failed',
  [GrpcStatus.ABORTED]: 'conflict',
  [GrpcStatus.OUT_OF_RANGE]: 'validation',
  [GrpcStatus.UNIMPLEMENTED]: 'internal',
  [GrpcStatus.INTERNAL]: 'bad_gateway',
  [GrpcStatus.UNAVAILABLE]: 'unavailable',
  [GrpcStatus.DATA_LOSS]: 'bad_gateway',
};

/** The first `grpc-status-details-bin` value of a grpc-js `Metadata`-like object, if binary; never throws. */
export function detailsBlobOf(metadata: unknown): Uint8Array | undefined {
  try {
    if (!isObjectLike(metadata)) return undefined;
    const get = safeGet(metadata, 'get');
    if (typeof get !== 'function') return undefined;
    const values: unknown = get.call(metadata, GRPC_DETAILS_KEY);
    const value = Array.isArray(values) ? values[0] : undefined;
    return value instanceof Uint8Array ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The calling service's category for a received gRPC status code (unknown codes: bad gateway). */
export function callerCategoryOf(code: number): Category {
  return CALLER_CATEGORY[code] ?? 'bad_gateway';
}

/** Code and trailers of a grpc-js `ServiceError`-shaped value, or undefined when it is not one. */
export function serviceErrorParts(
  error: ObjectLike,
): { readonly code: number; readonly metadata: ObjectLike } | undefined {
  // The code first: most thrown values (a driver's string code, or none) stop here, after one read.
  const code = safeGet(error, 'code');
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 1 || code > 16) return undefined;
  if (typeof safeGet(error, 'details') !== 'string') return undefined;
  const metadata = safeGet(error, 'metadata');
  if (!isObjectLike(metadata) || typeof safeGet(metadata, 'get') !== 'function') return undefined;
  return { code, metadata };
}

/**
 * Recognises grpc-js `ServiceError`s (numeric `code` 1-16, string `details`, `metadata` with a
 * `get` method) and classifies them by code. In core's built-in list, so every adapter maps them
 * the same way.
 */
export const grpcCodeClassifier: Classifier = {
  name: 'grpc',
  classify(error: ObjectLike) {
    const parts = serviceErrorParts(error);
    if (parts === undefined) return undefined;
    return { category: callerCategoryOf(parts.code), reason: `grpc:${parts.code}` };
  },
};
