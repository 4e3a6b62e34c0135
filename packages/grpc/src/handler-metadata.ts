/**
 * Response metadata and trailers a handler hands grpc-js (`call.sendMetadata(m)`, a unary or
 * client-streaming callback's third argument, a stream's `call.end(m)`), checked before grpc-js
 * sees them. grpc-js calls `toHttp2Headers()` and `clone()` on them where nothing catches a
 * throw: a value that is not a Metadata (a plain object, a string, a Proxy, throwing getters)
 * ended the process (an uncaught exception from the response's write callback) or left the call
 * waiting for its deadline (headers marked sent that never were). Such a value now fails the call
 * as the server's fault ({@link InvalidMetadata}); a Metadata goes on as a copy made key by key
 * through grpc-js's own checks, so nothing of the handler's object is read again later.
 */
import { types } from 'node:util';
import { Metadata, type MetadataValue } from '@grpc/grpc-js';

/** Stands in for response metadata or trailers of the handler's that are not a usable grpc-js Metadata. */
export class InvalidMetadata extends Error {
  constructor(what: 'response metadata' | 'trailers') {
    super(`${what} passed by the handler are not a grpc-js Metadata`);
    this.name = 'InvalidMetadata';
  }
}

/** What {@link handlerMetadata} answers for a value that cannot be used. */
export const INVALID: unique symbol = Symbol('faultline.invalidMetadata');

/**
 * `value` itself when absent (`undefined`, `null`: grpc-js sends none), else a copy of it made
 * with `add` key by key (grpc-js's key and value checks), or {@link INVALID} when it is no
 * Metadata (a Proxy never is) or any part of it fails. Never throws.
 */
export function handlerMetadata(value: unknown): Metadata | null | undefined | typeof INVALID {
  if (value === undefined || value === null) return value;
  try {
    if (typeof value !== 'object' || types.isProxy(value) || !(value instanceof Metadata)) return INVALID;
    const entries: Record<string, unknown> = Metadata.prototype.toJSON.call(value);
    const copy = new Metadata();
    for (const key of Object.keys(entries)) {
      const values = entries[key];
      if (!Array.isArray(values)) return INVALID;
      for (const one of values) copy.add(key, one as MetadataValue);
    }
    return copy;
  } catch {
    return INVALID;
  }
}

/**
 * What the replaced methods need of the call's guard: how to fail the call, and the call's own
 * methods as they were when replaced (an instrumentation may have wrapped them on the call).
 */
export interface MetadataGuard {
  fail(error: unknown): void;
  /** The call's own `sendMetadata`, kept when it is replaced. */
  originalSendMetadata: ((metadata: Metadata) => void) | undefined;
  /** A response stream's own `end`, kept when it is replaced. */
  originalEnd?: ((...args: unknown[]) => unknown) | undefined;
}

/** The parts of a grpc-js server call {@link guardHandlerMetadata} replaces. */
interface MetadataCall {
  sendMetadata(metadata: Metadata): void;
  end?(...args: unknown[]): unknown;
}

const kGuard = Symbol('faultline.metadataGuard');

type Guarded = MetadataCall & { [kGuard]?: MetadataGuard };

/**
 * `call.sendMetadata(metadata)` with a copy of `metadata`, through the call's own method kept by
 * `guard`; anything but a Metadata fails the call through `guard` instead.
 */
export function sendCheckedMetadata(call: object, metadata: unknown, guard: MetadataGuard | undefined): void {
  const own = handlerMetadata(metadata);
  if (own === INVALID) {
    guard?.fail(new InvalidMetadata('response metadata'));
    return;
  }
  const send = guard?.originalSendMetadata ?? (Object.getPrototypeOf(call) as MetadataCall).sendMetadata;
  send.call(call, own as Metadata);
}

/** A stream's `sendMetadata` (one function for every call): see {@link sendCheckedMetadata}. */
function checkedSendMetadata(this: Guarded, metadata?: unknown): void {
  sendCheckedMetadata(this, metadata, this[kGuard]);
}

/**
 * A response stream's `end` (one function for every call): grpc-js takes any truthy first
 * argument as the trailers (a callback too); a copy of them goes on, anything else fails the call.
 */
function checkedEnd(this: Guarded, ...args: unknown[]): unknown {
  const guard = this[kGuard];
  const end = (guard?.originalEnd ?? (Object.getPrototypeOf(this) as MetadataCall).end) as (...a: unknown[]) => unknown;
  if (!args[0]) return end.call(this);
  const own = handlerMetadata(args[0]);
  if (own === INVALID) {
    guard?.fail(new InvalidMetadata('trailers'));
    return this;
  }
  return end.call(this, own);
}

/**
 * Replaces `sendMetadata` of a wrapped streaming call, and `end` too when its responses stream
 * (`responseStream`), with the shared checked versions; `guard` keeps the call's own and fails
 * the call. (A unary call's guard has its own `sendMetadata`, which finds its guard without a
 * property of this module's.)
 */
export function guardHandlerMetadata(call: object, guard: MetadataGuard, responseStream: boolean): void {
  const guarded = call as Guarded;
  guarded[kGuard] = guard;
  guard.originalSendMetadata = guarded.sendMetadata;
  guarded.sendMetadata = checkedSendMetadata;
  if (!responseStream) return;
  guard.originalEnd = guarded.end;
  guarded.end = checkedEnd;
}
