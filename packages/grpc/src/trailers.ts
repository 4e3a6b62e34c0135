/**
 * The status a fault becomes on gRPC: code from the taxonomy, generic `details`, and trailers
 * `x-request-id` + `grpc-status-details-bin`. Trailer objects built here are remembered, so the
 * server interceptor can tell Faultline's statuses from foreign or library-generated ones.
 */

import { encodeStatusDetails, type Fault, GRPC_DETAILS_KEY } from '@faultline/core';
import { Metadata, type StatusObject } from '@grpc/grpc-js';

/** Metadata key of the correlation id. */
export const REQUEST_ID_KEY = 'x-request-id';
/** Metadata key of the rich status. */
export const DETAILS_KEY = GRPC_DETAILS_KEY;

const ours = new WeakSet<Metadata>();

/** True when `metadata` was built by {@link faultStatus}. */
export function isFaultlineTrailer(metadata: unknown): boolean {
  return typeof metadata === 'object' && metadata !== null && ours.has(metadata as Metadata);
}

/** A status object for `fault`, whose trailers carry only Faultline's keys. */
export function faultStatus(fault: Fault, domain: string): StatusObject & { message: string } {
  const metadata = new Metadata();
  metadata.set(REQUEST_ID_KEY, fault.id);
  metadata.set(DETAILS_KEY, Buffer.from(encodeStatusDetails(fault, domain)));
  ours.add(metadata);
  // `message` too: grpc-js reads `message` from errors that reach serverErrorToStatus.
  return { code: fault.grpcCode, details: fault.message, metadata, message: fault.message };
}
