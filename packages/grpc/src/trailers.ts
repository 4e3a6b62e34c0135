/**
 * The status a fault becomes on gRPC: code from the taxonomy, generic `details`, and trailers
 * `x-request-id` + `grpc-status-details-bin`. Trailer objects built here are remembered, so the
 * server interceptor can tell Faultline's statuses from foreign or library-generated ones, and
 * they keep what they were made with, so a status an interceptor changed on its way out (its
 * details, its code, its trailers) is sent as it was made ({@link statusAsMade}).
 */

import { types } from 'node:util';
import { type Fault, GRPC_DETAILS_KEY, isObjectLike, safeGet } from '@faultline/core/adapter';
import { Metadata, type MetadataValue, type StatusObject } from '@grpc/grpc-js';
import { detailsBase64, isPrintableAscii } from './details-base64.js';

/** Metadata key of the correlation id. */
export const REQUEST_ID_KEY = 'x-request-id';
/** Metadata key of the rich status. */
export const DETAILS_KEY = GRPC_DETAILS_KEY;

/**
 * Brand of trailer objects built here. A symbol property, not a WeakSet: a WeakSet entry per
 * failed call made garbage collection a quarter of the error path's CPU (ephemeron tables).
 */
const kFaultline = Symbol('faultline.trailer');

/**
 * True when `metadata` was built by {@link faultStatus}. A Proxy never is, whatever its traps
 * answer (one that answers every read would otherwise pass for the brand, and its `clone` and
 * `toHttp2Headers` would write the trailers). Never throws.
 */
export function isFaultlineTrailer(metadata: unknown): boolean {
  if (typeof metadata !== 'object' || metadata === null || types.isProxy(metadata)) return false;
  try {
    return (metadata as { [kFaultline]?: unknown })[kFaultline] === true;
  } catch {
    return false;
  }
}

/** Where a {@link FaultTrailer} keeps the storage grpc-js's Metadata reads as `internalRepr` (made when first read). */
const kStorage = Symbol('faultline.storage');
/** Where a {@link FaultTrailer} keeps the options grpc-js's Metadata reads as `options` (made when first read). */
const kOptions = Symbol('faultline.options');

/**
 * Trailers of a fault. Until something reads them through the Metadata API, they are just the id
 * and the rich status as base64 text ({@link detailsBase64}): grpc-js clones a status's metadata
 * and asks the clone for its HTTP/2 headers, and both are answered from those two strings (no
 * Map, no options object, no arrays, no Buffer, no copy, no encoding per call: one object for the
 * trailers and one for grpc-js's clone). Any other use (`get`, `set`, `getMap`, `toJSON`, `merge`
 * in either direction, ...) goes through `internalRepr`, whose getter first makes the ordinary
 * storage and moves both into it (the details as a Buffer, decoded then), so they read and change
 * as any Metadata.
 *
 * Instances are made by {@link faultTrailer} with `Object.create` (grpc-js's constructor, which
 * allocates a Map and an options object, never runs for them); they are `instanceof Metadata`.
 */
class FaultTrailer extends Metadata {
  /** The printable id, until moved into the storage. */
  declare id: string | undefined;
  /** The details as base64, until moved into the storage. */
  declare pending: string | undefined;
  declare [kStorage]: Map<string, MetadataValue[]> | undefined;
  declare [kOptions]: ReturnType<Metadata['getOptions']> | undefined;
  /** What the trailers were made with: the status's code and details, the id, the details (base64). */
  declare made: Made;

  /** Moves the id and the pending details into the ordinary storage (the details as a Buffer). */
  materialize(): Map<string, MetadataValue[]> {
    let storage = this[kStorage];
    if (storage === undefined) {
      storage = new Map();
      this[kStorage] = storage;
    }
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
    // `id` is set only when it was printable: the copy takes it as it is.
    const copy = faultTrailer(this.id, this.pending, true, this.made);
    const storage = this[kStorage];
    if (storage !== undefined && storage.size > 0) {
      const target = copy.materialize();
      for (const [key, values] of storage)
        target.set(
          key,
          values.map((v) => (Buffer.isBuffer(v) ? Buffer.from(v) : v)),
        );
    }
    copy[kOptions] = this[kOptions];
    return copy;
  }

  override toHttp2Headers(): ReturnType<Metadata['toHttp2Headers']> {
    const storage = this[kStorage];
    if (storage !== undefined && storage.size > 0) return super.toHttp2Headers();
    const headers: ReturnType<Metadata['toHttp2Headers']> = {};
    if (this.id !== undefined) headers[REQUEST_ID_KEY] = this.id;
    if (this.pending !== undefined) headers[DETAILS_KEY] = this.pending;
    return headers;
  }
}

// grpc-js's Metadata keeps its storage in the field `internalRepr` and its options in `options`
// (assigned by its constructor, read by every method and by `merge` of another Metadata):
// accessors here keep them under symbols, made on first read, the storage only after moving the
// pending values in.
Object.defineProperties(FaultTrailer.prototype, {
  [kFaultline]: { value: true },
  internalRepr: {
    get(this: FaultTrailer) {
      return this.materialize();
    },
    set(this: FaultTrailer, value: Map<string, MetadataValue[]>) {
      this[kStorage] = value;
    },
  },
  options: {
    get(this: FaultTrailer) {
      let options = this[kOptions];
      if (options === undefined) {
        options = {};
        this[kOptions] = options;
      }
      return options;
    },
    set(this: FaultTrailer, value: ReturnType<Metadata['getOptions']>) {
      this[kOptions] = value;
    },
  },
});

/** What a {@link FaultTrailer} was made with (shared by its copies; never changed). */
interface Made {
  readonly code: number;
  readonly details: string;
  readonly id: string;
  /** The rich status as base64. */
  readonly pending: string;
  readonly printable: boolean;
}

/**
 * A {@link FaultTrailer} holding `id` and `details` (base64), made without running grpc-js's
 * constructor. A non-printable id goes through `set` (and its checks) into the ordinary storage.
 * `printable` is {@link isPrintableAscii} of `id`; `made` is what the first of its copies was made with.
 */
function faultTrailer(
  id: string | undefined,
  details: string | undefined,
  printable: boolean,
  made: Made,
): FaultTrailer {
  const trailer = Object.create(FaultTrailer.prototype) as FaultTrailer;
  // A printable ASCII id (core's ids are UUIDs) is a legal value of a legal key: grpc-js's checks are skipped.
  trailer.id = printable ? id : undefined;
  trailer.pending = details;
  trailer[kStorage] = undefined;
  trailer[kOptions] = undefined;
  trailer.made = made;
  if (id !== undefined && !printable) trailer.set(REQUEST_ID_KEY, id);
  return trailer;
}

/** The status object of `made`, with `metadata` as its trailers. */
function statusOf(made: Made, metadata: FaultTrailer): StatusObject & { message: string } {
  // `message` too: grpc-js reads `message` from errors that reach serverErrorToStatus.
  return { code: made.code, details: made.details, metadata, message: made.details };
}

/** A status object for `fault`, whose trailers carry only Faultline's keys. */
export function faultStatus(fault: Fault, domain: string): StatusObject & { message: string } {
  const printable = isPrintableAscii(fault.id);
  const pending = detailsBase64(fault, domain, printable);
  const made: Made = { code: fault.grpcCode, details: fault.message, id: fault.id, pending, printable };
  return statusOf(made, faultTrailer(fault.id, pending, printable, made));
}

/**
 * The status to send for `status` when its trailers are Faultline's: the status as
 * {@link faultStatus} made it (its code, its generic details, and its trailers, or new ones with
 * only its id and rich status once they were read or changed through the Metadata API), whatever
 * an interceptor or a handler changed since (details with debug text, a trailer added, the id
 * replaced, a copy of the trailers added to, the code). Always a new status object: `status` is
 * read once, here. `undefined` when the trailers are not Faultline's. Never throws.
 */
export function statusAsMade(status: unknown): (StatusObject & { message: string }) | undefined {
  const metadata = isObjectLike(status) ? safeGet(status, 'metadata') : undefined;
  if (!isFaultlineTrailer(metadata)) return undefined;
  const trailer = metadata as FaultTrailer;
  const made = safeGet(trailer, 'made') as Made | undefined;
  // An object made from the trailers' prototype without faultStatus carries the brand, not a fault.
  if (!isObjectLike(made)) return undefined;
  // Untouched trailers (never read or changed through the Metadata API) still hold what they were made with.
  if (trailer[kStorage] === undefined) return statusOf(made, trailer);
  return statusOf(made, faultTrailer(made.id, made.pending, made.printable, made));
}
