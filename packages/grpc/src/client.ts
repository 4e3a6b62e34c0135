/**
 * The calling side: a client interceptor that propagates the caller's correlation id and turns a
 * received status back into generic text, and a classifier that turns a grpc-js `ServiceError`
 * into a fault of the calling service, keeping category, code and the upstream's request id,
 * never the upstream's text.
 */

import {
  type Category,
  classifyReceived,
  isUuid,
  lazyGrpcStatusClassifier,
  loadRichStatus,
  needsRichStatus,
  TAXONOMY,
} from '@faultline/core/adapter';
import { InterceptingCall, type Interceptor, status as Status, type StatusObject } from '@grpc/grpc-js';
import { REQUEST_ID_KEY } from './trailers.js';

/**
 * Turns a grpc-js `ServiceError` into a fault of the calling service, reading its rich status.
 * The gRPC adapter uses it by default; an HTTP or WebSocket service that calls gRPC downstreams
 * adds it to its `classifiers` to keep the downstream's stable codes. Reading a rich status needs
 * protobuf, which is loaded the first time one arrives, and until then such a status is classified
 * by its code: `await loadRichStatus()` at start-up to read them from the first one (the gRPC
 * adapter's own calls wait for it themselves). `grpcStatusClassifier` of `@faultline/core/grpc`
 * is the same classifier with protobuf loaded on import.
 */
export const grpcClassifier = lazyGrpcStatusClassifier;

/**
 * Loads the reader of received rich statuses (protobuf, about +6 MB RSS) now rather than when the
 * first one arrives. Never rejects.
 */
export async function loadGrpcStatusReader(): Promise<void> {
  await loadRichStatus();
}

/** The generic text for a failed status: its category's message (bad gateway when unreadable). */
function genericDetails(status: StatusObject): string {
  let category: Category = 'bad_gateway';
  try {
    category = classifyReceived(status.code, status.metadata).category;
  } catch {
    // keep bad_gateway
  }
  return TAXONOMY[category].message;
}

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
            // The first rich status to read loads its reader before the status goes on.
            if (needsRichStatus(status.metadata))
              void loadRichStatus().then(() => nextStatus({ ...status, details: genericDetails(status) }));
            else nextStatus({ ...status, details: genericDetails(status) });
          },
        });
      },
    });
}
