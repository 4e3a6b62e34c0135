/**
 * The fault of an Express request: a thrown value captured with the request's id and input, or
 * the not-found fault. `capture` and `faultOf` read their context synchronously and keep no
 * reference to it, so one context object per kind is refilled for each fault and emptied right
 * after, instead of a fresh object (and, for `capture`, a closure over the request) per error
 * answer, as the Fastify adapter does.
 */
import {
  type CaptureContext,
  type Classifier,
  captureForClient,
  clientGone,
  type Fault,
  faultOf,
  type RequestIdPolicy,
  unwrapThrown,
} from '@faultline/core/adapter';
import { classifiersWhenGone } from './client-aborted.js';
import { requestIdOf } from './request-id.js';
import type { ExpressRequest } from './types.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The request being captured (the reused context's `input` reads it), else undefined. */
let capturing: ExpressRequest | undefined;

/** The request's body, query and params: the input a validation library's error must point into. */
function inputOfCapturing(): readonly unknown[] {
  const request = capturing;
  return request === undefined ? [] : [request.body, request.query, request.params];
}

const captureContext: Writable<CaptureContext> = {
  requestId: undefined,
  requestIdTrusted: false,
  requestIdPolicy: undefined,
  peer: undefined,
  rejectedRequestId: undefined,
  classifiers: undefined,
  source: 'http',
  input: inputOfCapturing,
};

const notFoundContext: Writable<CaptureContext & { reason: string }> = {
  requestId: undefined,
  requestIdTrusted: false,
  requestIdPolicy: undefined,
  peer: undefined,
  rejectedRequestId: undefined,
  source: 'http.not_found',
  reason: 'no route',
};

/**
 * Fills `ctx` with the request's id: the one the Faultline middleware set (a UUID, trusted), else
 * the incoming header, validated by `capture` against `policy` and the peer address (read only
 * then: it is the one part that needs it).
 */
function fillId(
  ctx: Writable<CaptureContext>,
  request: ExpressRequest,
  policy: RequestIdPolicy,
  rejected: string | undefined,
): void {
  const id = requestIdOf(request);
  ctx.requestId = id ?? request.headers['x-request-id'];
  ctx.requestIdTrusted = id !== undefined;
  ctx.requestIdPolicy = policy;
  ctx.peer = id === undefined ? request.socket?.remoteAddress : undefined;
  ctx.rejectedRequestId = rejected;
}

/** Empties what a filled context holds of a request. */
function empty(ctx: Writable<CaptureContext>): void {
  ctx.requestId = undefined;
  ctx.peer = undefined;
  ctx.rejectedRequestId = undefined;
}

/**
 * Captures `error` for `request` with the application's classifiers. `rejected` is the incoming
 * id the middleware refused (escaped for the log), if any.
 */
export function captureFor(
  error: unknown,
  request: ExpressRequest,
  classifiers: readonly Classifier[],
  policy: RequestIdPolicy,
  rejected: string | undefined,
): Fault {
  const value = unwrapThrown(error);
  // A cancellation (premature close, AbortError) is the client's only once it went away; a
  // FaultError raised as `cancelled` by the application keeps its category.
  const gone = clientGone(request);
  // Express's own `Request aborted` (a cut `res.sendFile`) is the client's cancellation then.
  if (gone) classifiers = classifiersWhenGone(classifiers);
  if (capturing !== undefined) {
    // Re-entered (a classifier answered another request synchronously): a context of its own.
    const id = requestIdOf(request);
    const ctx: CaptureContext = {
      requestId: id ?? request.headers['x-request-id'],
      requestIdTrusted: id !== undefined,
      requestIdPolicy: policy,
      peer: request.socket?.remoteAddress,
      rejectedRequestId: rejected,
      classifiers,
      source: 'http',
      input: () => [request.body, request.query, request.params],
    };
    return captureForClient(value, ctx, gone);
  }
  capturing = request;
  fillId(captureContext, request, policy, rejected);
  captureContext.classifiers = classifiers;
  try {
    return captureForClient(value, captureContext, gone);
  } finally {
    // Nothing of the request stays reachable from the shared context.
    capturing = undefined;
    captureContext.classifiers = undefined;
    empty(captureContext);
  }
}

/** The not-found fault of `request` (no route matched). */
export function notFoundFault(request: ExpressRequest, policy: RequestIdPolicy, rejected: string | undefined): Fault {
  fillId(notFoundContext, request, policy, rejected);
  try {
    return faultOf('not_found', notFoundContext);
  } finally {
    empty(notFoundContext);
  }
}
