/**
 * The status a fault becomes on gRPC: code from the taxonomy, generic `details`, and trailers
 * `x-request-id` + `grpc-status-details-bin`. Trailer objects built here are remembered, so the
 * server interceptor can tell Faultline's statuses from foreign or library-generated ones.
 */

import type { Fault } from '@faultline/core/adapter';
import { GRPC_DETAILS_KEY } from '@faultline/core/grpc';
import { Metadata, type MetadataValue, type StatusObject } from '@grpc/grpc-js';
import { detailsBase64 } from './details-base64.js';

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

/** grpc-js's rule for a value of a key not ending in `-bin`. */
const PRINTABLE = /^[ -~]*$/;

/** grpc-js's Metadata with its storage visible (a `protected` field in its typings). */
type Stored = { internalRepr: Map<string, MetadataValue[]> };

/**
 * Trailers of a fault. To grpc-js (which clones the status metadata and then asks for HTTP/2
 * headers) the rich status is already base64 text ({@link detailsBase64}): no Buffer per call,
 * no copy in the clone, no encoding. Read through the Metadata API (`get`, `getMap`, `toJSON`,
 * `add`, ...), the details are a Buffer as usual, decoded on first use.
 */
class FaultTrailer extends Metadata {
  readonly [kFaultline] = true;
  /** The details as base64, until they are read or replaced through the Metadata API. */
  private pending: string | undefined;

  constructor(id: string | undefined, details: string | undefined) {
    super();
    // A printable ASCII id (core's ids are UUIDs) is a legal value of a legal key: grpc-js's checks are skipped.
    if (id !== undefined && PRINTABLE.test(id)) (this as unknown as Stored).internalRepr.set(REQUEST_ID_KEY, [id]);
    else if (id !== undefined) super.set(REQUEST_ID_KEY, id);
    this.pending = details;
  }

  /** Moves the pending details into the ordinary storage, as a Buffer. */
  private materialize(): void {
    if (this.pending === undefined) return;
    (this as unknown as Stored).internalRepr.set(DETAILS_KEY, [Buffer.from(this.pending, 'base64')]);
    this.pending = undefined;
  }

  override set(key: string, value: MetadataValue): void {
    this.materialize();
    super.set(key, value);
  }

  override add(key: string, value: MetadataValue): void {
    this.materialize();
    super.add(key, value);
  }

  override remove(key: string): void {
    this.materialize();
    super.remove(key);
  }

  override get(key: string): MetadataValue[] {
    this.materialize();
    return super.get(key);
  }

  override getMap(): { [key: string]: MetadataValue } {
    this.materialize();
    return super.getMap();
  }

  override merge(other: Metadata): void {
    this.materialize();
    super.merge(other);
  }

  override toJSON(): { [key: string]: MetadataValue[] } {
    this.materialize();
    return super.toJSON();
  }

  /** A copy that keeps the details as text (grpc-js clones every status's metadata before sending). */
  override clone(): Metadata {
    const copy = new FaultTrailer(undefined, this.pending);
    const storage = (copy as unknown as Stored).internalRepr;
    for (const [key, values] of (this as unknown as Stored).internalRepr)
      storage.set(
        key,
        values.map((v) => (Buffer.isBuffer(v) ? Buffer.from(v) : v)),
      );
    copy.setOptions(this.getOptions());
    return copy;
  }

  override toHttp2Headers(): ReturnType<Metadata['toHttp2Headers']> {
    const headers = super.toHttp2Headers();
    if (this.pending !== undefined) headers[DETAILS_KEY] = this.pending;
    return headers;
  }
}

/** A status object for `fault`, whose trailers carry only Faultline's keys. */
export function faultStatus(fault: Fault, domain: string): StatusObject & { message: string } {
  const metadata = new FaultTrailer(fault.id, detailsBase64(fault, domain));
  // `message` too: grpc-js reads `message` from errors that reach serverErrorToStatus.
  return { code: fault.grpcCode, details: fault.message, metadata, message: fault.message };
}
