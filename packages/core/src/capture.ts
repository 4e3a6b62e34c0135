/**
 * `capture(thrown, ctx)`: turns ANY thrown value into a {@link Fault} and never throws. The
 * category comes from a real `FaultError`, a structural classifier, or (last) a foreign 4xx
 * `status`/`statusCode`; a foreign message, `expose` and numeric `code` are never trusted. Cause
 * chains (`cause`, ORM `driverError`/`parent`/`original`) are followed, AggregateErrors are
 * classified as a whole. A validation library's verdict is the client's only when its pointers
 * resolve in the request's input (`ctx.input`); otherwise it is internal.
 */

import { CapturedInternal } from './captured-internal.js';
import { lookupCode } from './catalog.js';
import type { Classification, Classifier } from './classify/types.js';
import { classifiersFor, classifyValue, DEFAULT_VERDICT, type Verdict } from './classify-thrown.js';
import { type RequestIdPolicy, resolveCorrelationId } from './correlation.js';
import { buildFault, type Fault } from './fault.js';
import { builtinDefinition, FaultError, normalizeRetryAfter } from './fault-error.js';
import { normalizeFieldViolations } from './field-violation.js';
import type { Category } from './taxonomy.js';
import { defuseThrownPromise } from './thrown-promise.js';
import { violationsOwnedByInput } from './validation-ownership.js';

/**
 * Context an adapter passes to `capture`. `capture` and `faultOf` read it synchronously and keep
 * no reference to it, so an adapter may reuse one context object for every call (the Fastify and
 * ws adapters do, to allocate less per answer).
 */
export interface CaptureContext {
  /** The request's correlation id, or an incoming header value to validate (only a UUID is kept). */
  readonly requestId?: unknown;
  /**
   * The adapter already validated `requestId` (it generated or checked it itself): it is used as
   * is, without validating it again on the hot path.
   */
  readonly requestIdTrusted?: boolean;
  /** Which incoming ids are kept (default: UUID v4 from any peer); see `requestIdPolicy`. */
  readonly requestIdPolicy?: RequestIdPolicy | undefined;
  /** The remote address of the connection the id came on (checked against trusted proxies). */
  readonly peer?: string | undefined;
  /** With a trusted id: the incoming value the adapter refused earlier, already escaped (logged). */
  readonly rejectedRequestId?: string | undefined;
  /** Extra classifiers (e.g. a framework's own errors), tried before the built-in ones. */
  readonly classifiers?: readonly Classifier[] | undefined;
  /** Where the error was caught, for the logs (`http.route`, `grpc.unary`, `ws.message`…). */
  readonly source?: string;
  /**
   * The request's input documents (HTTP body, query and params; a gRPC request message; a parsed
   * WebSocket message), or a function returning them (called only when needed). A validation
   * library's error is answered 400 only when its pointers resolve in one of them.
   */
  readonly input?: readonly unknown[] | (() => readonly unknown[]) | undefined;
}

/** The id of a context: a trusted one as is, anything else validated. */
function idOf(ctx: CaptureContext | undefined): { id: string; rejected: string | undefined } {
  const requestId = ctx?.requestId;
  if (ctx?.requestIdTrusted === true && typeof requestId === 'string') {
    return { id: requestId, rejected: ctx.rejectedRequestId };
  }
  return resolveCorrelationId(requestId, ctx?.requestIdPolicy, ctx?.peer);
}

function faultFromVerdict(thrown: unknown, verdict: Verdict, ctx: CaptureContext | undefined): Fault {
  const { id, rejected } = idOf(ctx);
  if (verdict.fault !== undefined) {
    const fault = verdict.fault;
    return buildFault({
      id,
      definition: fault.definition,
      fieldViolations: fault.fieldViolations,
      retryAfter: fault.retryAfter,
      retryable: false,
      params: fault.publicParams,
      internal: new CapturedInternal(
        thrown,
        thrown === fault ? 'FaultError' : undefined,
        verdict.classifier,
        'fault',
        ctx?.source,
        rejected,
      ),
    });
  }
  const classification = ownedClassification(
    verdict.classification ?? { category: 'internal' as const, reason: 'unclassified' },
    ctx,
  );
  let definition = builtinDefinition(classification.category);
  if (classification.code !== undefined) {
    const named = lookupCode(classification.code);
    if (named !== undefined && named.category === classification.category) definition = named;
  }
  return buildFault({
    id,
    definition,
    fieldViolations:
      classification.fieldViolations === undefined ? [] : normalizeFieldViolations(classification.fieldViolations),
    retryAfter: classification.retryAfter === undefined ? undefined : normalizeRetryAfter(classification.retryAfter),
    retryable: classification.retryable === true,
    internal: new CapturedInternal(thrown, undefined, verdict.classifier, classification.reason, ctx?.source, rejected),
  });
}

/** Inputs of the context: the list, or what its function returns (`[]` when it throws). */
function inputsOf(ctx: CaptureContext | undefined): readonly unknown[] {
  const input = ctx?.input;
  if (input === undefined) return [];
  try {
    const roots = typeof input === 'function' ? input() : input;
    return Array.isArray(roots) ? roots.filter((root) => root !== undefined) : [];
  } catch {
    return [];
  }
}

/** Applies the validation-ownership rule to an input-bound verdict (see validation-ownership.ts). */
function ownedClassification(classification: Classification, ctx: CaptureContext | undefined): Classification {
  if (classification.inputBound !== true || classification.category !== 'validation') return classification;
  const violations = normalizeFieldViolations(classification.fieldViolations);
  const owned = violationsOwnedByInput(violations, inputsOf(ctx), classification);
  if (owned !== undefined) return { ...classification, fieldViolations: owned };
  return { category: 'internal', reason: `${classification.reason}:not-request-input` };
}

/**
 * Normalises any thrown value into a {@link Fault}. Never throws: even when every read of the
 * value throws, the result is an `internal` fault with a fresh correlation id.
 *
 * @example
 * const fault = capture(err, { requestId: req.headers['x-request-id'], source: 'http.route' });
 * reply.code(fault.status).send(renderProblem(fault));
 */
export function capture(thrown: unknown, ctx?: CaptureContext): Fault {
  try {
    // Fast path for the common case: the application raised a FaultError itself.
    if (FaultError.is(thrown)) return faultFromVerdict(thrown, { fault: thrown, classifier: 'fault' }, ctx);
    // A thrown promise that rejects must not end the process: its fault is captured here, in every adapter.
    defuseThrownPromise(thrown);
    const verdict = classifyValue(thrown, classifiersFor(ctx?.classifiers)) ?? DEFAULT_VERDICT;
    return faultFromVerdict(thrown, verdict, ctx);
  } catch {
    return lastResortFault(thrown, ctx?.source);
  }
}

/**
 * A fault the adapter raises itself (no route, method not allowed, server closing): built
 * directly, with no Error (no stack, nothing to classify). `reason` goes to the log.
 */
export function faultOf(category: Category, ctx?: CaptureContext & { readonly reason?: string }): Fault {
  const { id, rejected } = idOf(ctx);
  return buildFault({
    id,
    definition: builtinDefinition(category),
    fieldViolations: [],
    retryAfter: undefined,
    retryable: false,
    internal: {
      thrown: undefined,
      errorType: 'none',
      classifier: 'adapter',
      reason: ctx?.reason ?? category,
      source: ctx?.source,
      rejectedRequestId: rejected,
    },
  });
}

/** The fault used when normalisation itself failed: internal, fresh id, nothing read from the value. */
export function lastResortFault(thrown: unknown, source?: string): Fault {
  const { id } = resolveCorrelationId(undefined);
  return buildFault({
    id,
    definition: builtinDefinition('internal'),
    fieldViolations: [],
    retryAfter: undefined,
    retryable: false,
    internal: {
      thrown,
      errorType: 'unknown',
      classifier: 'last-resort',
      reason: 'capture-failed',
      source,
      rejectedRequestId: undefined,
    },
  });
}
