/**
 * The fault of a Fastify request: a thrown value captured with the request's id and input, or a
 * fault the adapter raises itself (no route, server closing, JSON:API refusal). `capture` and
 * `faultOf` read their context synchronously and keep no reference to it, so one context object
 * per kind is refilled for each fault and emptied right after, instead of a fresh object (and,
 * for `capture`, a closure over the request) per error answer.
 */
import {
  type CaptureContext,
  type Category,
  type Classifier,
  captureForClient,
  clientGone,
  type Fault,
  faultOf,
  unwrapThrown,
} from '@faultline/core/adapter';
import type { FastifyRequest } from 'fastify';
import { bodyCutShort, classifiersForCutBody } from './client-aborted.js';
import { isValidRequestId, refusedRequestId } from './request-id.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The request being captured (the reused context's `input` reads it), else undefined. */
let capturing: FastifyRequest | undefined;

/** The request's body, query and params: the input a validation library's error must point into. */
function inputOfCapturing(): readonly unknown[] {
  const request = capturing;
  return request === undefined ? [] : [request.body, request.query, request.params];
}

const captureContext: Writable<CaptureContext> = {
  requestId: undefined,
  requestIdTrusted: false,
  rejectedRequestId: undefined,
  classifiers: undefined,
  source: 'http',
  input: inputOfCapturing,
};

/**
 * Captures `error` for `request`, with the adapter's classifiers. The request's body, query and
 * params are the input a validation library's error must point into to be the client's.
 * A thrown value classified `cancelled` (a premature close, an `AbortError`) is the client's
 * cancellation only when the client is gone; while it is still connected, the server cancelled
 * its own work (a reply stream destroyed, an aborted upstream call), and that is `internal`.
 * A `FaultError` raised as `cancelled` by the application keeps its category. A body the client
 * cut short by leaving is its cancellation too (client-aborted.ts).
 */
export function captureFor(thrown: unknown, request: FastifyRequest, given: readonly Classifier[]): Fault {
  const error = unwrapThrown(thrown);
  const gone = clientGone(request.raw);
  const classifiers = gone && bodyCutShort(error, request.raw) ? classifiersForCutBody(given) : given;
  if (capturing !== undefined) {
    // Re-entered (a classifier answered another request synchronously): a context of its own.
    const ctx: CaptureContext = {
      requestId: request.id,
      requestIdTrusted: isValidRequestId(request.id),
      rejectedRequestId: refusedRequestId(request.raw),
      classifiers,
      source: 'http',
      input: () => [request.body, request.query, request.params],
    };
    return captureForClient(error, ctx, gone);
  }
  capturing = request;
  captureContext.requestId = request.id;
  captureContext.requestIdTrusted = isValidRequestId(request.id);
  captureContext.rejectedRequestId = refusedRequestId(request.raw);
  captureContext.classifiers = classifiers;
  try {
    return captureForClient(error, captureContext, gone);
  } finally {
    // Nothing of the request stays reachable from the shared context.
    capturing = undefined;
    captureContext.requestId = undefined;
    captureContext.rejectedRequestId = undefined;
    captureContext.classifiers = undefined;
  }
}

/**
 * Captures `thrown` for a request known only by its id: the one Fastify bound to the request's
 * logger, for its late "Promise errored" line (late-log.ts). An id that is not a valid correlation
 * id (or none, without a logger) is replaced by a new one, as for any fault.
 */
export function captureForId(thrown: unknown, requestId: unknown, classifiers: readonly Classifier[]): Fault {
  const ctx: CaptureContext = { requestId, requestIdTrusted: isValidRequestId(requestId), classifiers, source: 'http' };
  return captureForClient(unwrapThrown(thrown), ctx, false);
}

const adapterContext: Writable<CaptureContext & { reason: string }> = {
  requestId: undefined,
  requestIdTrusted: false,
  rejectedRequestId: undefined,
  source: 'http',
  reason: '',
};

/** A fault the adapter raises itself for `request` (`source` and `reason` go to the log). */
export function adapterFaultFor(category: Category, request: FastifyRequest, source: string, reason: string): Fault {
  adapterContext.requestId = request.id;
  adapterContext.requestIdTrusted = isValidRequestId(request.id);
  adapterContext.rejectedRequestId = refusedRequestId(request.raw);
  adapterContext.source = source;
  adapterContext.reason = reason;
  try {
    return faultOf(category, adapterContext);
  } finally {
    adapterContext.requestId = undefined;
    adapterContext.rejectedRequestId = undefined;
  }
}
