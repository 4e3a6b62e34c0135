/**
 * `wrapService(definition, implementation)`: every handler of a grpc-js service, wrapped so that
 * any failure (sync throw, async rejection, `callback(err)`, stream `emit('error')` or
 * `destroy(err)`) ends the call with a sanitized status, exactly once, and is reported with the
 * original error (which the server interceptor no longer sees).
 */

import {
  type Classifier,
  capture,
  type Fault,
  isObjectLike,
  type Reporter,
  recordFault,
  SPAN_ONLY,
  safeGet,
} from '@faultline/core';
import type {
  Metadata,
  Server,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  sendUnaryData,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  AnsweredWithoutMessage,
  decodeFault,
  type GuardableCall,
  type GuardableUnaryCall,
  type GuardedCall,
  guardCall,
  guardUnaryCall,
} from './call-guard.js';
import { guardDefinition, isDecodeFailure, type RequestGuardOptions } from './request-guard.js';
import { faultStatus, REQUEST_ID_KEY } from './trailers.js';
import { answerUnknownMethods } from './unknown-method.js';
import { markWrappedMethods } from './wrapped-methods.js';

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

/**
 * Captures `thrown` for a call and reports it; returns the fault. `input` is the decoded request
 * (validation ownership: a schema error about anything else is internal). Never throws.
 */
export function faultForCall(
  thrown: unknown,
  metadata: Metadata | undefined,
  path: string,
  options: GrpcFaultOptions,
  input: readonly unknown[] = [],
): Fault {
  const fault = capture(thrown, {
    requestId: incomingRequestId(metadata),
    source: 'grpc',
    classifiers: options.classifiers,
    input,
  });
  // Without a reporter only the span is annotated: no record fields to gather.
  recordFault(
    fault,
    options.reporter === undefined ? SPAN_ONLY.grpc : { protocol: 'grpc', reporter: options.reporter, method: path },
  );
  return fault;
}

type AnyHandler = (call: never, callback?: never) => unknown;

/** True for a value with a callable `then`; a throwing getter or trap counts as no. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObjectLike(value) && typeof safeGet(value, 'then') === 'function';
}

/** Runs the handler; a sync throw or a rejected promise (of any value) goes to `fail`. */
function run(invoke: () => unknown, fail: (error: unknown) => void): void {
  try {
    const result = invoke();
    if (isThenable(result)) result.then(undefined, fail);
  } catch (error) {
    fail(error);
  }
}

/** True when `call[key]` is `true` (stream state flags), read safely. */
function flag(call: object, key: string): boolean {
  return safeGet(call, key) === true;
}

function wrapUnaryLike(path: string, handler: AnyHandler, options: GrpcFaultOptions, domain: string) {
  return (
    call: ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    let done = false;
    let guard: GuardedCall | undefined;
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      const fault = faultForCall(error, call.metadata, path, options, requestOf(call, guard));
      callback(faultStatus(fault, domain));
    };
    const guarded: sendUnaryData<unknown> = (error, value, trailer, flags) => {
      if (done) return;
      if (error !== null && error !== undefined) {
        fail(error);
        return;
      }
      if (value === undefined) {
        // callback(null) / callback(undefined): neither an error nor a message to send.
        fail(new AnsweredWithoutMessage());
        return;
      }
      done = true;
      callback(null, value, trailer, flags);
    };
    if ('request' in call && isDecodeFailure(call.request)) {
      fail(decodeFault(call.request));
      return;
    }
    const naturalEnd = () => done || flag(call, 'readableEnded');
    // A unary call has no request stream: a lighter guard without per-call functions (see guardUnaryCall).
    if ('request' in call) guardUnaryCall(call as unknown as GuardableUnaryCall, fail, naturalEnd);
    else guard = guardCall(call as unknown as GuardableCall, fail, naturalEnd);
    run(() => (handler as (c: unknown, cb: unknown) => unknown)(call, guarded), fail);
  };
}

function wrapStreaming(path: string, handler: AnyHandler, options: GrpcFaultOptions, domain: string) {
  return (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) => {
    let failed = false;
    let guard: GuardedCall | undefined;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      const fault = faultForCall(error, call.metadata, path, options, requestOf(call, guard));
      // grpc-js turns an 'error' event into the call's status and ends the stream.
      guard?.emit('error', faultStatus(fault, domain));
    };
    guard = guardCall(call as unknown as GuardableCall, fail, () => failed || flag(call, 'writableEnded'));
    if ('request' in call && isDecodeFailure(call.request)) {
      fail(decodeFault(call.request));
      return;
    }
    run(() => (handler as (c: unknown) => unknown)(call), fail);
  };
}

/** The decoded request message (unary, server streaming) or the last one received (validation ownership). */
function requestOf(call: object, guard: GuardedCall | undefined): readonly unknown[] {
  const request = safeGet(call, 'request') ?? guard?.lastMessage();
  return request === undefined || isDecodeFailure(request) ? [] : [request];
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

/**
 * Registers a service with guarded request decoding and wrapped handlers: the one call to make
 * instead of `server.addService`. Create the server with `grpc.max_receive_message_length: -1`
 * so oversized requests get Faultline's answer (the limit is `maxReceiveMessageLength`). Calls to
 * unknown methods of the server are answered as faults too (see {@link answerUnknownMethods}).
 */
export function addFaultlineService(
  server: Server,
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  options: GrpcFaultOptions = {},
): void {
  const guarded = guardDefinition(definition, options);
  server.addService(guarded, wrapService(definition, implementation, options));
  markWrappedMethods(guarded, implementation);
  answerUnknownMethods(server, options);
}
