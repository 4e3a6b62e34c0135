/**
 * The status a fault becomes on gRPC: code from the taxonomy, generic `details`, and trailers
 * `x-request-id` + `grpc-status-details-bin`. Trailer objects built here are remembered, so the
 * server interceptor can tell Faultline's statuses from foreign or library-generated ones.
 */

import type { Fault } from '@faultline/core/adapter';
import { encodeStatusDetails, GRPC_DETAILS_KEY } from '@faultline/core/grpc';
import { Metadata, type StatusObject } from '@grpc/grpc-js';

/** Metadata key of the correlation id. */
export const REQUEST_ID_KEY = 'x-request-id';
/** Metadata key of the rich status. */
export const DETAILS_KEY = GRPC_DETAILS_KEY;

/**
 * Brand of trailer objects built here. A symbol property, not a WeakSet: a WeakSet entry per
 * failed call made garbage collection a quarter of the error path's CPU (ephemeron tables).
 */
const kFaultline = Symbol('faultline.trailer');

/** True when `metadata` was built by {@link faultStatus}. Never throws. */
export function isFaultlineTrailer(metadata: unknown): boolean {
  if (typeof metadata !== 'object' || metadata === null) return false;
  try {
    return (metadata as { [kFaultline]?: unknown })[kFaultline] === true;
  } catch {
    return false;
  }
}

/** A status object for `fault`, whose trailers carry only Faultline's keys. */
export function faultStatus(fault: Fault, domain: string): StatusObject & { message: string } {
  const metadata = new Metadata();
  metadata.set(REQUEST_ID_KEY, fault.id);
  const details = encodeStatusDetails(fault, domain);
  // Already a Buffer when it comes from a template: no second copy.
  metadata.set(DETAILS_KEY, Buffer.isBuffer(details) ? details : Buffer.from(details));
  (metadata as { [kFaultline]?: boolean })[kFaultline] = true;
  // `message` too: grpc-js reads `message` from errors that reach serverErrorToStatus.
  return { code: fault.grpcCode, details: fault.message, metadata, message: fault.message };
}
