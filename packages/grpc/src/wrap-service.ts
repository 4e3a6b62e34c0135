/**
 * `wrapService(definition, implementation)`: every handler of a grpc-js service, wrapped so that
 * any failure (sync throw, async rejection, `callback(err)`, stream `emit('error')` or
 * `destroy(err)`) ends the call with a sanitized status, exactly once, and is reported with the
 * original error (which the server interceptor no longer sees).
 */

import { type Classifier, capture, type Fault, FaultError, type Reporter, recordFault } from '@faultline/core';
import type {
  Metadata,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  sendUnaryData,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { grpcClassifier } from './client.js';
import {
  guardDefinition,
  isDecodeFailure,
  type RequestDecodeFailure,
  type RequestGuardOptions,
} from './request-guard.js';
import { faultStatus, isFaultlineTrailer, REQUEST_ID_KEY } from './trailers.js';

/** Options shared by the wrapper and the interceptor. */
export interface GrpcFaultOptions extends RequestGuardOptions {
  /** Where fault records go (none when omitted). */
  readonly reporter?: Reporter | undefined;
  /** ErrorInfo.domain of every status (default `faultline`). */
  readonly domain?: string;
  /** Extra classifiers for the application's own error families. */
  readonly classifiers?: readonly Classifier[];
}

/** The first `x-request-id` value of incoming metadata, if any (validated by `capture`). */
export function incomingRequestId(metadata: Metadata | undefined): unknown {
  try {
    const values = metadata?.get(REQUEST_ID_KEY) ?? [];
    return values.length === 1 ? values[0] : values.length > 1 ? values : undefined;
  } catch {
    return undefined;
  }
}

const classifierLists = new WeakMap<GrpcFaultOptions, readonly Classifier[]>();

/**
 * The application's classifiers, then {@link grpcClassifier}: a handler that passes on a
 * downstream call's ServiceError answers with the caller's view of it (never the downstream's
 * text or metadata). Built once per options object.
 */
function classifiersOf(options: GrpcFaultOptions): readonly Classifier[] {
  let list = classifierLists.get(options);
  if (list === undefined) {
    list = [...(options.classifiers ?? []), grpcClassifier];
    classifierLists.set(options, list);
  }
  return list;
}

/** Captures `thrown` for a call and reports it; returns the fault. Never throws. */
export function faultForCall(
  thrown: unknown,
  metadata: Metadata | undefined,
  path: string,
  options: GrpcFaultOptions,
): Fault {
  const fault = capture(thrown, {
    requestId: incomingRequestId(metadata),
    source: 'grpc',
    classifiers: classifiersOf(options),
  });
  recordFault(fault, { protocol: 'grpc', reporter: options.reporter, method: path });
  return fault;
}

type AnyHandler = (call: never, callback?: never) => unknown;

/** The fault for a request that could not be decoded (bad bytes, or over the size limit). */
function decodeFault(failure: RequestDecodeFailure): FaultError {
  return FaultError.of(failure.reason === 'too_large' ? 'payload_too_large' : 'validation', {
    cause: failure.cause,
    message:
      failure.reason === 'too_large'
        ? `request message of ${failure.size} bytes over the limit`
        : 'request message could not be decoded',
    stack: false,
  });
}

/** Client streams: a message that failed to decode fails the call instead of reaching the handler. */
function guardIncoming(
  call: { emit: (event: string | symbol, ...args: unknown[]) => boolean },
  fail: (error: unknown) => void,
): void {
  const originalEmit = call.emit.bind(call);
  call.emit = (event: string | symbol, ...args: unknown[]) => {
    if (event === 'data' && isDecodeFailure(args[0])) {
      fail(decodeFault(args[0]));
      return true;
    }
    return originalEmit(event, ...args);
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Status-like errors built by {@link faultStatus} pass through untouched. */
function isFaultlineStatus(value: unknown): boolean {
  return typeof value === 'object' && value !== null && isFaultlineTrailer((value as { metadata?: unknown }).metadata);
}

function wrapUnaryLike(path: string, handler: AnyHandler, options: GrpcFaultOptions, domain: string) {
  return (
    call: ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    let done = false;
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      const fault = faultForCall(error, call.metadata, path, options);
      callback(faultStatus(fault, domain));
    };
    const guarded: sendUnaryData<unknown> = (error, value, trailer, flags) => {
      if (done) return;
      if (error !== null && error !== undefined) {
        fail(error);
        return;
      }
      done = true;
      callback(null, value, trailer, flags);
    };
    if ('request' in call && isDecodeFailure(call.request)) {
      fail(decodeFault(call.request));
      return;
    }
    if (!('request' in call)) guardIncoming(call, fail);
    try {
      const result = (handler as (c: unknown, cb: unknown) => unknown)(call, guarded);
      if (isThenable(result)) result.then(undefined, fail);
    } catch (error) {
      fail(error);
    }
  };
}

function wrapStreaming(path: string, handler: AnyHandler, options: GrpcFaultOptions, domain: string) {
  return (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) => {
    let failed = false;
    const originalEmit = call.emit.bind(call);
    const originalDestroy = call.destroy.bind(call);
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      const fault = faultForCall(error, call.metadata, path, options);
      // grpc-js turns an 'error' event into the call's status and ends the stream.
      originalEmit('error', faultStatus(fault, domain));
    };
    call.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'error' && !isFaultlineStatus(args[0])) {
        fail(args[0]);
        return true;
      }
      if (event === 'data' && isDecodeFailure(args[0])) {
        fail(decodeFault(args[0]));
        return true;
      }
      return originalEmit(event, ...args);
    }) as typeof call.emit;
    // destroy(err) would end the stream without a status and leave the client waiting for its deadline.
    call.destroy = ((error?: Error) => {
      if (error !== undefined && error !== null) {
        fail(error);
        return call;
      }
      return originalDestroy();
    }) as typeof call.destroy;
    if ('request' in call && isDecodeFailure(call.request)) {
      fail(decodeFault(call.request));
      return;
    }
    try {
      const result = (handler as (c: unknown) => unknown)(call);
      if (isThenable(result)) result.then(undefined, fail);
    } catch (error) {
      fail(error);
    }
  };
}

/**
 * Wraps every method of `implementation` (handlers of `definition`, as passed to
 * `server.addService`). Unknown keys are left as they are.
 *
 * @example
 * server.addService(OrdersService, wrapService(OrdersService, impl, { reporter }));
 */
export function wrapService<T extends UntypedServiceImplementation>(
  definition: ServiceDefinition,
  implementation: T,
  options: GrpcFaultOptions = {},
): T {
  const domain = options.domain ?? 'faultline';
  const wrapped: Record<string, unknown> = { ...implementation };
  for (const [name, method] of Object.entries(definition)) {
    const handler = implementation[name] as AnyHandler | undefined;
    if (typeof handler !== 'function') continue;
    const path = method.path;
    wrapped[name] = method.responseStream
      ? wrapStreaming(path, handler, options, domain)
      : wrapUnaryLike(path, handler, options, domain);
  }
  return wrapped as T;
}

/** What {@link addFaultlineService} registers. */
interface ServiceRegistry {
  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void;
}

/**
 * Registers a service with guarded request decoding and wrapped handlers: the one call to make
 * instead of `server.addService`. Create the server with `grpc.max_receive_message_length: -1`
 * so oversized requests get Faultline's answer (the limit is `maxReceiveMessageLength`).
 */
export function addFaultlineService(
  server: ServiceRegistry,
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  options: GrpcFaultOptions = {},
): void {
  server.addService(guardDefinition(definition, options), wrapService(definition, implementation, options));
}
