/**
 * The guard every wrapped call gets, whatever its method kind: `emit('error', v)` and
 * `destroy(v)` with any value (non-Errors, Proxies, nothing at all), a throw from the
 * application's own 'data'/'end' listeners, and a request message that failed to decode all end
 * the call through `fail` (exactly once, decided by the caller), never through grpc-js's own
 * error-to-status path, and never by touching the value except through core's safe accessors.
 */
import { FaultError, isObjectLike, safeGet } from '@faultline/core/adapter';
import type { Metadata } from '@grpc/grpc-js';
import { EndedWithoutAnswer, WrittenToUnaryCall } from './answer-errors.js';
import { guardHandlerMetadata, type MetadataGuard, sendCheckedMetadata } from './handler-metadata.js';
import { type InFlightCall, keepListedEmit, untrack } from './in-flight.js';
import { isDecodeFailure, type RequestDecodeFailure } from './request-guard.js';
import { isFaultlineTrailer, statusAsMade } from './trailers.js';
import { refuseWrite } from './write-callback.js';

export { AnsweredWithoutMessage, EndedWithoutAnswer, WrittenToUnaryCall } from './answer-errors.js';

/** The parts of a grpc-js server call the guard replaces. */
export interface GuardableCall {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  destroy(error?: Error): unknown;
}

/**
 * True for a status-like object whose trailers `faultStatus` built (a Proxy's never are): the
 * guard sends such a status on as it was made, and fails the call with anything else.
 */
export function isFaultlineStatus(value: unknown): boolean {
  return isObjectLike(value) && isFaultlineTrailer(safeGet(value, 'metadata'));
}

/** The fault for a request that could not be decoded (bad bytes, or over the size limit). */
export function decodeFault(failure: RequestDecodeFailure): FaultError {
  return FaultError.of(failure.reason === 'too_large' ? 'payload_too_large' : 'validation', {
    cause: failure.cause,
    message:
      failure.reason === 'too_large'
        ? `request message of ${failure.size} bytes over the limit`
        : 'request message could not be decoded',
    stack: false,
  });
}

/** Stands in for a `destroy()` without an error: the handler gave up without a status. */
export class DestroyedWithoutStatus extends Error {
  constructor() {
    super('call destroyed by the handler without an error or status');
    this.name = 'DestroyedWithoutStatus';
  }
}

/** What {@link guardCall} leaves its caller. */
export interface GuardedCall {
  /** The call's original `emit`, bound: the path for Faultline's own status. */
  readonly emit: (event: string | symbol, ...args: unknown[]) => boolean;
  /** The last request message received on a client stream (validation ownership). */
  readonly lastMessage: () => unknown;
}

/**
 * Replaces `emit` and `destroy` on `call`. Faultline's own status objects pass to grpc-js, as they
 * were made (`statusAsMade`); any other 'error' goes to `fail`. A `destroy()` without arguments is
 * Node's own auto-destroy once a
 * side of the stream ended (`naturalEnd()` true): it passes through; anywhere else it fails the
 * call. `entry` (the call on its server's list of calls in flight) leaves the list on 'cancelled',
 * which grpc-js emits once the call's status was sent or its client is gone, also when the
 * handler assigned an `emit` of its own (`keepListedEmit`).
 */
export function guardCall(
  call: GuardableCall,
  fail: (error: unknown) => void,
  naturalEnd: () => boolean,
  entry: InFlightCall | undefined,
  responseStream: boolean,
): GuardedCall {
  const originalEmit = call.emit.bind(call);
  let lastMessage: unknown;
  const originalDestroy = call.destroy;
  const guardedEmit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'cancelled') untrack(entry);
    if (event === 'error') {
      // Faultline's own status goes on as it was made, whatever was changed in it since.
      const own = statusAsMade(args[0]);
      if (own !== undefined) return originalEmit(event, own);
      fail(args[0]);
      return true;
    }
    if (event === 'data') {
      if (isDecodeFailure(args[0])) {
        fail(decodeFault(args[0]));
        return true;
      }
      lastMessage = args[0];
    }
    try {
      return originalEmit(event, ...args);
    } catch (error) {
      // An application listener ('data', 'end', …) threw: without this it would escape into grpc-js.
      fail(error);
      return true;
    }
  };
  if (entry === undefined) call.emit = guardedEmit;
  else keepListedEmit(call, guardedEmit, entry);
  // destroy(err) would end the stream without a status and leave the client waiting for its deadline.
  const rule: DestroyRule & MetadataGuard = {
    fail,
    naturalEnd,
    originalSendMetadata: undefined,
    originalEnd: undefined,
  };
  call.destroy = (...args: unknown[]) => guardedDestroy(call, args, rule, originalDestroy);
  // Response metadata (and a response stream's trailers) that are no Metadata fail the call.
  guardHandlerMetadata(call, rule, responseStream);
  return { emit: originalEmit, lastMessage: () => lastMessage };
}

/** What {@link guardedDestroy} asks of a call's guard. */
export interface DestroyRule {
  /** Ends the call with the value's fault (exactly once: the guard decides). */
  fail(error: unknown): void;
  /**
   * True once a side of the stream ended on its own (Node's auto-destroy then follows), or once
   * the client cancelled a streaming call (grpc-js then destroys it).
   */
  naturalEnd(): boolean;
}

/**
 * The rule every guarded `destroy` follows: a `destroy()` without arguments once a side of the
 * stream ended (`naturalEnd()`) is Node's own auto-destroy and runs the original; anything else
 * ends the call through `fail` (with {@link DestroyedWithoutStatus} when no value was given).
 */
function guardedDestroy(
  call: GuardableCall,
  args: readonly unknown[],
  rule: DestroyRule,
  destroy: ((error?: Error) => unknown) | undefined,
): unknown {
  if (args.length === 0 && rule.naturalEnd()) return typeof destroy === 'function' ? destroy.call(call) : call;
  rule.fail(args.length === 0 ? new DestroyedWithoutStatus() : args[0]);
  return call;
}

/**
 * A unary call's guard state, one object per call (the wrapper's own run of the call), reachable
 * from the call through a symbol property: no function object is made for it.
 */
export interface UnaryGuard extends DestroyRule, MetadataGuard {
  /** The call's own `destroy`, kept by {@link guardUnaryCall} when it replaces it. */
  originalDestroy: ((error?: Error) => unknown) | undefined;
}

/** A unary call: an emitter with `destroy` (grpc-js 1.14 hands unary handlers a Writable). */
export interface GuardableUnaryCall extends GuardableCall {
  end(...args: unknown[]): unknown;
  sendMetadata(metadata: Metadata): void;
  write(...args: unknown[]): boolean;
  on(event: 'error', listener: (this: object, error: unknown) => void): unknown;
  listeners(event: 'error'): readonly unknown[];
  removeListener(event: 'error', listener: (...args: unknown[]) => void): unknown;
}

const kUnaryGuard = Symbol('faultline.unaryGuard');

/** The guard {@link guardUnaryCall} gave `call`, if any. */
export function unaryGuardOf(call: object): UnaryGuard | undefined {
  return (call as { [kUnaryGuard]?: UnaryGuard })[kUnaryGuard];
}

/** The call's 'error' listener (one function for every call): the value goes to the guard's `fail`. */
function onUnaryError(this: object, error: unknown): void {
  unaryGuardOf(this)?.fail(error);
}

/** The call's `destroy` (one function for every call), following {@link guardedDestroy}'s rule. */
function guardedUnaryDestroy(this: GuardableCall, ...args: unknown[]): unknown {
  const guard = unaryGuardOf(this);
  return guard === undefined ? this : guardedDestroy(this, args, guard, guard.originalDestroy);
}

/**
 * The call's `end` (one function for every call). A unary call answers through its callback:
 * `end()` on it (grpc-js 1.14's unary call is a Writable, whose `end` would send OK without a
 * message, which the client reports as its own UNIMPLEMENTED, without an id) fails the call when
 * it was not answered yet, and does nothing once it was (the answer, or its fault, is on its way).
 */
function guardedUnaryEnd(this: GuardableCall): unknown {
  const guard = unaryGuardOf(this);
  if (guard !== undefined && !guard.naturalEnd()) guard.fail(new EndedWithoutAnswer());
  return this;
}

/**
 * The call's `write` (one function for every call). A unary call answers once, through its
 * callback: a message written with grpc-js 1.14's Writable `write` would go out before (or after)
 * the callback's, and a grpc-js client that got two messages for a unary call reads neither
 * status nor error, and waits for its deadline. `write` fails the call when it was not answered
 * yet and, like {@link guardedUnaryEnd}, does nothing once it was; the message is never sent, and
 * a write callback gets the error ({@link refuseWrite}).
 */
function guardedUnaryWrite(this: GuardableCall, _chunk?: unknown, encoding?: unknown, callback?: unknown): boolean {
  const guard = unaryGuardOf(this);
  const error = new WrittenToUnaryCall();
  if (guard !== undefined && !guard.naturalEnd()) guard.fail(error);
  return refuseWrite(encoding, callback, error);
}

/** The call's `sendMetadata` (one function for every call): anything but a Metadata fails the call. */
function guardedUnarySendMetadata(this: object, metadata?: unknown): void {
  sendCheckedMetadata(this, metadata, unaryGuardOf(this));
}

/**
 * The guard of a unary call, which has no request stream to watch: an 'error' listener (so
 * `emit('error', v)` reaches the guard's `fail` instead of throwing), a replaced `destroy`, `end`,
 * `write` and `sendMetadata`, all shared by every call, with the call's own `guard` behind a
 * symbol property.
 * grpc-js's own 'error' listener on the call is removed first: it would turn the value into a
 * status carrying the value's message (and before the handler's answer), which is what must not
 * reach the client.
 *
 * Nothing here allocates per call but what the caller passes in. Whatever a call object reaches
 * is kept alive and promoted with it once the connection's HTTP/2 session is in the old
 * generation (see the README's performance section), so per-call closures cost twice.
 * The application's own listeners are its own: a throw from them is not caught here (a unary
 * call has no request stream whose listeners carry the handler's logic).
 */
export function guardUnaryCall(call: GuardableUnaryCall, guard: UnaryGuard): void {
  guard.originalDestroy = call.destroy;
  (call as { [kUnaryGuard]?: UnaryGuard })[kUnaryGuard] = guard;
  // One by one, not removeAllListeners('error'): that replaces a stream's events object (shaped by
  // Node for its usual events) with a new dictionary-mode one for every call.
  for (const listener of call.listeners('error')) call.removeListener('error', listener as (...a: unknown[]) => void);
  call.on('error', onUnaryError);
  call.destroy = guardedUnaryDestroy;
  call.end = guardedUnaryEnd;
  call.write = guardedUnaryWrite;
  guard.originalSendMetadata = call.sendMetadata;
  call.sendMetadata = guardedUnarySendMetadata;
}
