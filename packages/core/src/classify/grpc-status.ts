/**
 * A gRPC status received from a downstream service (a grpc-js `ServiceError`), seen from the
 * calling service: the downstream's stable code is kept when the end client can act on it; a
 * failure inside the downstream becomes bad gateway / unavailable / timeout; a refusal of this
 * service's own credentials is internal. The downstream's text and metadata are never kept.
 * Recognised structurally, so an HTTP or WebSocket handler that lets one escape gets the same
 * answer as a gRPC handler.
 */
import { lookupCode } from '../catalog.js';
import { isUuid } from '../correlation.js';
import { type DecodedStatusDetails, decodeStatusDetails } from '../grpc/status-details.js';
import { isObjectLike, type ObjectLike, safeGet } from '../safe-access.js';
import { type Category, categoryOfBuiltinCode, GrpcStatus, TAXONOMY } from '../taxonomy.js';
import type { Classification, Classifier } from './types.js';

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

/** The first binary value of `key` in a grpc-js `Metadata`-like object; never throws. */
function firstBuffer(metadata: unknown, key: string): Uint8Array | undefined {
  try {
    if (!isObjectLike(metadata)) return undefined;
    const get = safeGet(metadata, 'get');
    if (typeof get !== 'function') return undefined;
    const values: unknown = get.call(metadata, key);
    const value = Array.isArray(values) ? values[0] : undefined;
    return value instanceof Uint8Array ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A received status, classified for the caller; `upstreamId` is the downstream's correlation id. */
export interface ReceivedStatus extends Classification {
  readonly upstreamId?: string;
}

/** Category and code of a received status code plus its trailers (a grpc-js `Metadata`). */
export function classifyReceivedStatus(code: number, metadata: unknown): ReceivedStatus {
  const blob = firstBuffer(metadata, GRPC_DETAILS_KEY);
  const decoded: DecodedStatusDetails | undefined = blob === undefined ? undefined : decodeStatusDetails(blob);
  let category = CALLER_CATEGORY[code] ?? 'bad_gateway';
  let stableCode: string | undefined;
  if (decoded !== undefined && decoded.code === code && decoded.reason !== undefined) {
    const known = lookupCode(decoded.reason);
    const reasonCategory = known?.category ?? categoryOfBuiltinCode(decoded.reason);
    // The downstream's stable code is kept for what the end client can act on.
    const clientActionable =
      reasonCategory !== undefined &&
      !TAXONOMY[reasonCategory].serverFault &&
      reasonCategory !== 'unauthenticated' &&
      reasonCategory !== 'forbidden';
    if (clientActionable) {
      category = reasonCategory;
      if (known !== undefined) stableCode = decoded.reason;
    }
  }
  const upstreamId = decoded?.requestId !== undefined && isUuid(decoded.requestId) ? decoded.requestId : undefined;
  return {
    category,
    reason: `grpc:${code}${upstreamId === undefined ? '' : ` upstream_request_id=${upstreamId}`}`,
    ...(stableCode === undefined ? {} : { code: stableCode }),
    ...(upstreamId === undefined ? {} : { upstreamId }),
  };
}

/**
 * Recognises grpc-js `ServiceError`s: numeric `code` 1-16, string `details`, and `metadata` with
 * a `get` method. In core's built-in list, so every adapter maps them the same way.
 */
export const grpcStatusClassifier: Classifier = {
  name: 'grpc',
  classify(error: ObjectLike) {
    const code = safeGet(error, 'code');
    const details = safeGet(error, 'details');
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 1 || code > 16) return undefined;
    if (typeof details !== 'string') return undefined;
    const metadata = safeGet(error, 'metadata');
    if (!isObjectLike(metadata) || typeof safeGet(metadata, 'get') !== 'function') return undefined;
    const { upstreamId: _ignored, ...classification } = classifyReceivedStatus(code, metadata);
    return classification;
  },
};
