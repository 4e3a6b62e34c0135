/**
 * The rich-status reader, loaded only when a received status carries `grpc-status-details-bin` to
 * read. Reading it needs the protobuf runtime (`received-status.ts`, about +6 MB RSS and +2 MB
 * heap), which a gRPC server does not otherwise need (it encodes with `status-encode.ts`); so it is
 * loaded with `import()` the first time a thrown gRPC error carries details, not at start.
 *
 * Classifiers are synchronous, so {@link lazyGrpcStatusClassifier} classifies a status whose
 * details arrive before the reader is loaded by its code alone and counts the miss
 * ({@link richStatusMisses}); the gRPC adapter then loads the reader and captures that fault
 * again, so its answers never depend on timing.
 */
import { callerCategoryOf, detailsBlobOf, serviceErrorParts } from '../classify/grpc-code.js';
import type { Classification, Classifier } from '../classify/types.js';
import type { ObjectLike } from '../safe-access.js';

/** What the loaded reader offers (`received-status.ts`). */
export type RichStatusReader = typeof import('./received-status.js');

let reader: RichStatusReader | undefined;
let loading: Promise<RichStatusReader | undefined> | undefined;
/** Classifications made by code alone because details arrived before the reader was loaded. */
let misses = 0;

/** The reader when it is loaded; `undefined` before (nothing is loaded by asking). */
export function loadedRichStatus(): RichStatusReader | undefined {
  return reader;
}

/**
 * Loads the reader (once; later calls share the load). Resolves with `undefined` if it cannot be
 * loaded (statuses are then classified by code alone); never rejects.
 */
export function loadRichStatus(): Promise<RichStatusReader | undefined> {
  if (reader !== undefined) return Promise.resolve(reader);
  loading ??= import('./received-status.js').then(
    (module) => {
      reader = module;
      return module;
    },
    () => undefined,
  );
  return loading;
}

/** True when `metadata` (a grpc-js `Metadata`-like object) carries details and the reader is not loaded yet. */
export function needsRichStatus(metadata: unknown): boolean {
  return reader === undefined && detailsBlobOf(metadata) !== undefined;
}

/**
 * Recognises grpc-js `ServiceError`s like core's built-in code-only classifier and, once the reader
 * is loaded, reads their rich status as `grpcStatusClassifier` of `@faultline/core/grpc` does (the
 * downstream's stable code when the end client can act on it). Before that, an error carrying
 * details starts the load, is classified by its code alone and counted in {@link richStatusMisses}.
 */
export const lazyGrpcStatusClassifier: Classifier = {
  name: 'grpc',
  classify(error: ObjectLike): Classification | undefined {
    const parts = serviceErrorParts(error);
    return parts === undefined ? undefined : classifyReceived(parts.code, parts.metadata);
  },
};

/**
 * A received status code and its trailers (a grpc-js `Metadata`), classified for the caller as
 * `classifyReceivedStatus` of `@faultline/core/grpc` does once the reader is loaded (without the
 * upstream id); before that, by its code alone, starting the load when details are there.
 */
export function classifyReceived(code: number, metadata: unknown): Classification {
  if (reader !== undefined) {
    const { upstreamId: _ignored, ...classification } = reader.classifyReceivedStatus(code, metadata);
    return classification;
  }
  if (detailsBlobOf(metadata) !== undefined) {
    misses += 1;
    void loadRichStatus();
  }
  return { category: callerCategoryOf(code), reason: `grpc:${code}` };
}

/**
 * How many received rich statuses were classified by code alone because the reader was not loaded
 * yet. Read it before and after a synchronous step (e.g. a `capture` with
 * {@link lazyGrpcStatusClassifier}): when it moved, that step missed details, so
 * `await loadRichStatus()` and run it again. A counter rather than a wrapper taking a closure, so
 * the usual path allocates nothing for it.
 */
export function richStatusMisses(): number {
  return misses;
}
