/**
 * The calling side: a client interceptor that propagates the caller's correlation id and turns a
 * received status back into generic text, and a classifier that turns a grpc-js `ServiceError`
 * into a fault of the calling service, keeping category, code and the upstream's request id,
 * never the upstream's text.
 */

import {
  type Category,
  type Classification,
  type Classifier,
  categoryOfBuiltinCode,
  isUuid,
  lookupCode,
  safeGet,
  TAXONOMY,
} from '@faultline/core';
import { InterceptingCall, type Interceptor, type Metadata, status as Status, type StatusObject } from '@grpc/grpc-js';
import { decodeStatusDetails } from './status-details.js';
import { DETAILS_KEY, REQUEST_ID_KEY } from './trailers.js';

/** What a received gRPC code means for the calling service. */
const CALLER_CATEGORY: Readonly<Record<number, Category>> = {
  [Status.CANCELLED]: 'cancelled',
  [Status.UNKNOWN]: 'bad_gateway',
  [Status.INVALID_ARGUMENT]: 'validation',
  [Status.DEADLINE_EXCEEDED]: 'timeout',
  [Status.NOT_FOUND]: 'not_found',
  [Status.ALREADY_EXISTS]: 'conflict',
  // The upstream refused this service's credentials: never the end client's 401/403.
  [Status.PERMISSION_DENIED]: 'internal',
  [Status.UNAUTHENTICATED]: 'internal',
  [Status.RESOURCE_EXHAUSTED]: 'unavailable',
  [Status.FAILED_PRECONDITION]: 'precondition_failed',
  [Status.ABORTED]: 'conflict',
  [Status.OUT_OF_RANGE]: 'validation',
  [Status.UNIMPLEMENTED]: 'internal',
  [Status.INTERNAL]: 'bad_gateway',
  [Status.UNAVAILABLE]: 'unavailable',
  [Status.DATA_LOSS]: 'bad_gateway',
};

function firstBuffer(metadata: Metadata, key: string): Uint8Array | undefined {
  const value = metadata.get(key)[0];
  return value instanceof Uint8Array ? value : undefined;
}

/** Category and code of a received status; credentials failures are internal to the caller. */
function classifyReceived(code: number, metadata: Metadata | undefined): Classification & { upstreamId?: string } {
  const decoded =
    metadata === undefined ? undefined : decodeStatusDetails(firstBuffer(metadata, DETAILS_KEY) ?? new Uint8Array());
  let category = CALLER_CATEGORY[code] ?? 'bad_gateway';
  let stableCode: string | undefined;
  if (decoded !== undefined && decoded.code === code && decoded.reason !== undefined) {
    const known = lookupCode(decoded.reason);
    const reasonCategory = known?.category ?? categoryOfBuiltinCode(decoded.reason);
    // The upstream's stable code is kept for what the end client can act on. A failure inside
    // the upstream (5xx) is, for this caller, a bad gateway / unavailable / timeout: the code says which.
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

/** Recognises grpc-js `ServiceError`s (numeric `code` 1-16, string `details`, `metadata` with `get`). */
export const grpcClassifier: Classifier = {
  name: 'grpc',
  classify(error) {
    const code = safeGet(error, 'code');
    const details = safeGet(error, 'details');
    const metadata = safeGet(error, 'metadata');
    if (typeof code !== 'number' || code < 1 || code > 16 || typeof details !== 'string') return undefined;
    if (
      typeof metadata !== 'object' ||
      metadata === null ||
      typeof (metadata as { get?: unknown }).get !== 'function'
    ) {
      return undefined;
    }
    const { upstreamId: _ignored, ...classification } = classifyReceived(code, metadata as Metadata);
    return classification;
  },
};

/** Options of {@link createClientInterceptor}. */
export interface ClientInterceptorOptions {
  /** The caller's current correlation id (e.g. the HTTP request's id), sent as `x-request-id`. */
  readonly requestId?: () => string | undefined;
}

/**
 * A client interceptor: sends the caller's correlation id (when it is a UUID and none is set) and
 * replaces a failed status's details with the generic message of its category, so upstream
 * text is never carried further. The trailers (with the rich status) are kept for
 * {@link grpcClassifier}.
 */
export function createClientInterceptor(options: ClientInterceptorOptions = {}): Interceptor {
  return (callOptions, nextCall) =>
    new InterceptingCall(nextCall(callOptions), {
      start(metadata, _listener, next) {
        try {
          const id = options.requestId?.();
          if (id !== undefined && isUuid(id) && metadata.get(REQUEST_ID_KEY).length === 0)
            metadata.set(REQUEST_ID_KEY, id);
        } catch {
          // no id to propagate
        }
        next(metadata, {
          onReceiveStatus(status: StatusObject, nextStatus: (status: StatusObject) => void) {
            if (status.code === Status.OK) {
              nextStatus(status);
              return;
            }
            let category: Category = 'bad_gateway';
            try {
              category = classifyReceived(status.code, status.metadata).category;
            } catch {
              // keep bad_gateway
            }
            nextStatus({ ...status, details: TAXONOMY[category].message });
          },
        });
      },
    });
}
