/**
 * The fault of a failed call: captured with the call's incoming id and its request (validation
 * ownership), reported (span, and the log when there is a reporter), shared by the wrapper, the
 * unary run and the interceptor.
 */
import {
  type CaptureContext,
  type Classifier,
  capture,
  captureForClient,
  type Fault,
  faultOf,
  loadRichStatus,
  recordFault,
  rememberedSpan,
  richStatusMisses,
  SPAN_ONLY,
  safeGet,
  serverCancelled,
} from '@faultline/core/adapter';
import { Metadata } from '@grpc/grpc-js';
import { type GrpcFaultOptions, type ResolvedOptions, resolveGrpcOptions } from './grpc-options.js';
import { isDecodeFailure } from './request-guard.js';
import { REQUEST_ID_KEY } from './trailers.js';

export { type GrpcFaultOptions, resolveGrpcOptions } from './grpc-options.js';

/** The remote address of a call (`getPeer()` gives `ipv4:1.2.3.4:5`, `[::1]:5` or `1.2.3.4:5`). */
function peerOf(call: object | undefined): string | undefined {
  try {
    const getPeer = call === undefined ? undefined : safeGet(call, 'getPeer');
    if (typeof getPeer !== 'function') return undefined;
    const peer = String(getPeer.call(call)).replace(/^ipv[46]:/, '');
    const bracketed = /^\[([^\]]+)\]/.exec(peer);
    if (bracketed !== null) return bracketed[1];
    const colon = peer.lastIndexOf(':');
    return colon > 0 && peer.indexOf(':') === colon ? peer.slice(0, colon) : peer;
  } catch {
    return undefined;
  }
}

/** grpc-js's own `Metadata.prototype.get`. */
const metadataGet = Metadata.prototype.get;

/**
 * The values of `x-request-id` in `metadata`. grpc-js's `get` lower-cases its key first (about
 * 900 instructions a call, callgrind); when `metadata`'s `get` is grpc-js's own (as on the
 * Metadata grpc-js hands every call), what it would return is read from its storage (a Map with
 * lower-case keys, `internalRepr`) directly. Any other `get` (a subclass's) is asked.
 */
function requestIdValues(metadata: Metadata): readonly unknown[] {
  if (metadata.get === metadataGet) {
    const storage = (metadata as unknown as { readonly internalRepr?: unknown }).internalRepr;
    // What that `get` does, but for the key's lower-casing.
    if (storage instanceof Map) return (storage as Map<string, unknown[]>).get(REQUEST_ID_KEY) || [];
  }
  return metadata.get(REQUEST_ID_KEY);
}

/** The first `x-request-id` value of incoming metadata, if any (validated by `capture`). */
export function incomingRequestId(metadata: Metadata | undefined): unknown {
  try {
    const values = metadata === undefined || metadata === null ? [] : requestIdValues(metadata);
    return values.length === 1 ? values[0] : values.length > 1 ? values : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when the client is gone from `call`: grpc-js sets a handler's call `cancelled` (and emits
 * 'cancelled' on it) when the client cancels, its deadline passes or its connection drops. A call
 * without that flag (none given, or an interceptor's call) counts as gone: the classification
 * then stands as it is.
 */
function clientGoneFrom(call: object | undefined): boolean {
  return call === undefined || safeGet(call, 'cancelled') !== false;
}

/**
 * The fault of `thrown` for a call, not yet reported. A value classified `cancelled` while the
 * client has not cancelled the call is a cancellation of the server's own (an upstream call it
 * aborted): captured again as `internal`, reason `<reason>:client-connected`.
 */
function captureCall(
  thrown: unknown,
  metadata: Metadata | undefined,
  resolved: ResolvedOptions,
  input: readonly unknown[],
  call: object | undefined,
): Fault {
  const { policy, classifiers } = resolved;
  return captureForClient(thrown, contextOf(metadata, policy, input, call, classifiers), clientGoneFrom(call));
}

/**
 * Stands for the server shutting down where a call's `fail` takes the thrown value: the call is
 * answered with the fault of {@link shutdownFault}. Never handed to the application.
 */
export const SERVER_SHUTDOWN: unique symbol = Symbol('faultline.serverShutdown');

/**
 * The fault of a call still unanswered when its server's shutdown ran out of time: `unavailable`
 * (retry elsewhere), raised by the adapter itself, with the call's incoming id when it is kept,
 * recorded with the source `grpc.shutdown`.
 */
function shutdownFault(metadata: Metadata | undefined, options: GrpcFaultOptions, call: object | undefined): Fault {
  const { policy } = resolveGrpcOptions(options);
  const ctx = contextOf(metadata, policy, [], call, []);
  return faultOf('unavailable', { ...ctx, source: 'grpc.shutdown', reason: 'server shutting down' });
}

/** How a call's faults are captured: its incoming id, its peer when it matters, its request. */
function contextOf(
  metadata: Metadata | undefined,
  policy: ResolvedOptions['policy'],
  input: readonly unknown[],
  call: object | undefined,
  classifiers: readonly Classifier[],
): CaptureContext {
  return {
    requestId: incomingRequestId(metadata),
    requestIdPolicy: policy,
    // The peer is read only when it matters: trusted proxies are configured.
    peer: policy.trusted === undefined ? undefined : peerOf(call),
    source: 'grpc',
    classifiers,
    input,
  };
}

/** Reports `fault` (span, and the log when there is a reporter); returns it. */
function report(fault: Fault, path: string, resolved: ResolvedOptions, call: object | undefined): Fault {
  const { reporter } = resolved;
  // The call's span, remembered when its handler started: a throw from the application's own
  // 'data' listener reaches here from grpc-js's stream machinery, outside that span's context.
  const span = rememberedSpan(call);
  // Without a reporter only the span is annotated: no record fields to gather.
  recordFault(
    fault,
    reporter === undefined
      ? span === undefined
        ? SPAN_ONLY.grpc
        : { protocol: 'grpc', span }
      : { protocol: 'grpc', reporter, method: path, span },
  );
  return fault;
}

/**
 * Captures `thrown` for a call and reports it; returns the fault. `input` is the decoded request
 * (validation ownership: a schema error about anything else is internal); `call` gives the peer
 * for `trustedProxies` and whether the client cancelled: a cancellation (an `AbortError`) while
 * `call.cancelled` is false is the server's own, `internal`. Never throws once `options` were
 * resolved by an entry point. A downstream's rich status is read once its reader is loaded; the
 * adapter's own answers go through `callFault`, which waits for it.
 */
export function faultForCall(
  thrown: unknown,
  metadata: Metadata | undefined,
  path: string,
  options: GrpcFaultOptions,
  input: readonly unknown[] = [],
  call?: object,
): Fault {
  const resolved = resolveGrpcOptions(options);
  return report(captureCall(thrown, metadata, resolved, input, call), path, resolved, call);
}

/**
 * {@link faultForCall}, except when `thrown` carries a downstream's rich status before its reader
 * (protobuf) was ever loaded: then the reader is loaded, the fault is captured again, and the
 * result is a promise (which never rejects). Otherwise the fault, synchronously: no promise and
 * no closure on the usual path. {@link SERVER_SHUTDOWN} gets the shutdown's fault.
 */
export function callFault(
  thrown: unknown,
  metadata: Metadata | undefined,
  path: string,
  options: GrpcFaultOptions,
  input: readonly unknown[] = [],
  call?: object,
): Fault | Promise<Fault> {
  // Resolved once for the capture and the report (a WeakMap look-up each).
  const resolved = resolveGrpcOptions(options);
  if (thrown === SERVER_SHUTDOWN) return report(shutdownFault(metadata, options, call), path, resolved, call);
  const misses = richStatusMisses();
  const fault = captureCall(thrown, metadata, resolved, input, call);
  if (richStatusMisses() === misses) return report(fault, path, resolved, call);
  // The thrown status carried details the reader was not loaded for: load it, capture again.
  return loadRichStatus().then(() =>
    report(captureCall(thrown, metadata, resolved, input, call), path, resolved, call),
  );
}

/**
 * The fault of a status a live call's handler sent as CANCELLED though its client did not cancel
 * (the interceptor's): `internal`, recorded with the reason `<reason>:client-connected`.
 */
export function serverCancelledFault(
  cause: unknown,
  reason: string,
  metadata: Metadata | undefined,
  path: string,
  options: GrpcFaultOptions,
  call?: object,
): Fault {
  const resolved = resolveGrpcOptions(options);
  const ctx = contextOf(metadata, resolved.policy, [], call, [serverCancelled(reason)]);
  return report(capture(cause, ctx), path, resolved, call);
}

/** Calls `answer` with the fault of {@link callFault}, now or once it is ready; never throws into a promise. */
export function answerWhenReady(fault: Fault | Promise<Fault>, answer: (fault: Fault) => void): void {
  if (!(fault instanceof Promise)) {
    answer(fault);
    return;
  }
  const settle = (ready: Fault) => {
    try {
      answer(ready);
    } catch {
      // The call ended meanwhile (grpc-js throws on a late answer): nothing left to tell the client.
    }
  };
  // A fault that could not be made still gets an answer: the call must not wait for its deadline.
  fault.then(settle, () => settle(faultOf('internal', { source: 'grpc', reason: 'grpc:fault-unavailable' })));
}

/** The decoded request message (unary, server streaming) or the last one received (validation ownership). */
export function requestOf(call: object, lastMessage?: () => unknown): readonly unknown[] {
  const request = safeGet(call, 'request') ?? lastMessage?.();
  return request === undefined || isDecodeFailure(request) ? [] : [request];
}

/** True when `call[key]` is `true` (stream state flags), read safely. */
export function flag(call: object, key: string): boolean {
  return safeGet(call, key) === true;
}
