/**
 * A gRPC status received from a downstream service (a grpc-js `ServiceError`), read with its rich
 * status: on top of the code-only classification in core's built-in list, the downstream's stable
 * code is kept when the end client can act on it, and its request id goes into the record. The
 * downstream's text and metadata are never kept. It loads protobuf, so it lives in
 * `@faultline/core/grpc`: the gRPC adapter loads it the first time a received status carries
 * details (`lazy-status.ts`), and an HTTP or WebSocket service that calls gRPC downstreams adds
 * it to its `classifiers`.
 */
import { lookupCode } from '../catalog.js';
import { callerCategoryOf, detailsBlobOf, serviceErrorParts } from '../classify/grpc-code.js';
import type { Classification, Classifier } from '../classify/types.js';
import { isUuid } from '../correlation.js';
import type { ObjectLike } from '../safe-access.js';
import { categoryOfBuiltinCode, TAXONOMY } from '../taxonomy.js';
import { type DecodedStatusDetails, decodeStatusDetails } from './status-details.js';

/** A received status, classified for the caller; `upstreamId` is the downstream's correlation id. */
export interface ReceivedStatus extends Classification {
  readonly upstreamId?: string;
}

/** Category and code of a received status code plus its trailers (a grpc-js `Metadata`). */
export function classifyReceivedStatus(code: number, metadata: unknown): ReceivedStatus {
  const blob = detailsBlobOf(metadata);
  const decoded: DecodedStatusDetails | undefined = blob === undefined ? undefined : decodeStatusDetails(blob);
  let category = callerCategoryOf(code);
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
 * Recognises grpc-js `ServiceError`s like core's built-in code-only classifier, and also reads
 * their rich status: the downstream's stable code is kept when the end client can act on it.
 * Put it in an adapter's `classifiers`; the gRPC adapter does so by default.
 */
export const grpcStatusClassifier: Classifier = {
  name: 'grpc',
  classify(error: ObjectLike) {
    const parts = serviceErrorParts(error);
    if (parts === undefined) return undefined;
    const { upstreamId: _ignored, ...classification } = classifyReceivedStatus(parts.code, parts.metadata);
    return classification;
  },
};
