/**
 * The status a fault becomes on gRPC: code from the taxonomy, generic `details`, and trailers
 * `x-request-id` + `grpc-status-details-bin`. Trailer objects built here are remembered, so the
 * server interceptor can tell Faultline's statuses from foreign or library-generated ones.
 */

import { type Fault, GRPC_DETAILS_KEY } from '@faultline/core/adapter';
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

/** Where a {@link FaultTrailer} keeps the storage grpc-js's Metadata reads as `internalRepr`. */
const kStorage = Symbol('faultline.storage');

/**
 * Trailers of a fault. Until something reads them through the Metadata API, they are just the id
 * and the rich status as base64 text ({@link detailsBase64}): grpc-js clones a status's metadata
 * and asks the clone for its HTTP/2 headers, and both are answered from those two strings (no
 * Map entries, no arrays, no Buffer, no copy, no encoding per call). Any other use (`get`, `set`,
 * `getMap`, `toJSON`, `merge` in either direction, ...) goes through `internalRepr`, whose getter
 * first moves both into the ordinary storage (the details as a Buffer, decoded then), so they read
 * and change as any Metadata.
 */
class FaultTrailer extends Metadata {
  readonly [kFaultline] = true;
  /** The printable id, until moved into the storage. */
  declare private id: string | undefined;
  /** The details as base64, until moved into the storage. */
  declare private pending: string | undefined;
  declare private [kStorage]: Map<string, MetadataValue[]>;

  constructor(id: string | undefined, details: string | undefined) {
    super();
    // A printable ASCII id (core's ids are UUIDs) is a legal value of a legal key: grpc-js's checks are skipped.
    const printable = id !== undefined && PRINTABLE.test(id);
    this.id = printable ? id : undefined;
    this.pending = details;
    if (id !== undefined && !printable) super.set(REQUEST_ID_KEY, id);
  }

  /** Moves the id and the pending details into the ordinary storage (the details as a Buffer). */
  materialize(): Map<string, MetadataValue[]> {
    const storage = this[kStorage];
    if (this.id === undefined && this.pending === undefined) return storage;
    const pairs: [string, MetadataValue[]][] = [];
    if (this.id !== undefined) pairs.push([REQUEST_ID_KEY, [this.id]]);
    for (const entry of storage) pairs.push(entry);
    if (this.pending !== undefined) pairs.push([DETAILS_KEY, [Buffer.from(this.pending, 'base64')]]);
    this.id = undefined;
    this.pending = undefined;
    storage.clear();
    for (const [key, values] of pairs) storage.set(key, values);
    return storage;
  }

  /** A copy (grpc-js clones every status's metadata before sending): still two strings when untouched. */
  override clone(): Metadata {
    const copy = new FaultTrailer(this.id, this.pending);
    const storage = copy[kStorage];
    for (const [key, values] of this[kStorage])
      storage.set(
        key,
        values.map((v) => (Buffer.isBuffer(v) ? Buffer.from(v) : v)),
      );
    copy.setOptions(this.getOptions());
    return copy;
  }

  override toHttp2Headers(): ReturnType<Metadata['toHttp2Headers']> {
    if (this[kStorage].size > 0) return super.toHttp2Headers();
    const headers: ReturnType<Metadata['toHttp2Headers']> = {};
    if (this.id !== undefined) headers[REQUEST_ID_KEY] = this.id;
    if (this.pending !== undefined) headers[DETAILS_KEY] = this.pending;
    return headers;
  }
}

// grpc-js's Metadata keeps its storage in the field `internalRepr` (assigned by its constructor,
// read by every method and by `merge` of another Metadata): an accessor here stores it under
// kStorage and hands it out only after moving the pending values in.
Object.defineProperty(FaultTrailer.prototype, 'internalRepr', {
  get(this: FaultTrailer) {
    return this.materialize();
  },
  set(this: object, value: Map<string, MetadataValue[]>) {
    (this as Record<symbol, unknown>)[kStorage] = value;
  },
});

/** A status object for `fault`, whose trailers carry only Faultline's keys. */
export function faultStatus(fault: Fault, domain: string): StatusObject & { message: string } {
  const metadata = new FaultTrailer(fault.id, detailsBase64(fault, domain));
  // `message` too: grpc-js reads `message` from errors that reach serverErrorToStatus.
  return { code: fault.grpcCode, details: fault.message, metadata, message: fault.message };
}
