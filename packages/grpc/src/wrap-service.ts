/**
 * `wrapService(definition, implementation)`: every handler of a grpc-js service, wrapped so that
 * any failure (sync throw, async rejection, `callback(err)`, stream `emit('error')` or
 * `destroy(err)`) ends the call with a sanitized status, exactly once, and is reported with the
 * original error (which the server interceptor no longer sees).
 */

import { rememberActiveSpan } from '@faultline/core/adapter';
import type {
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
  answerWhenReady,
  callFault,
  flag,
  type GrpcFaultOptions,
  requestOf,
  resolveGrpcOptions,
  SERVER_SHUTDOWN,
} from './call-fault.js';
import { decodeFault, type GuardableCall, type GuardedCall, guardCall } from './call-guard.js';
import { type AnswerableCall, guardClientStreamAnswer } from './client-stream-answer.js';
import { handlerMetadata, INVALID, InvalidMetadata } from './handler-metadata.js';
import { callsOf, type InFlightCalls, StreamEntry, untrack } from './in-flight.js';
import { guardDefinition, isDecodeFailure } from './request-guard.js';
import { iterateWithoutDestroy } from './request-iterator.js';
import {
  encodingOf,
  guardWrite,
  passSerializedResponses,
  type ResponseEncoding,
  sendLimitOf,
  serializeResponse,
  type WritableCall,
} from './response-serialize.js';
import { guardServerInterceptors } from './server-guard.js';
import { faultStatus } from './trailers.js';
import { answerFailure, type Handler, recordedOnly, runHandler, type UnaryMethod, UnaryRun } from './unary-run.js';
import { answerUnknownMethods } from './unknown-method.js';
import { handlerOrDefault, markWrappedMethods, passThroughIsSafe } from './wrapped-methods.js';

/** A unary method: one {@link UnaryRun} per call. */
function wrapUnary(method: UnaryMethod) {
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
    UnaryRun.start(call, callback, method);
}

/**
 * A client-streaming method: the full stream guard (the handler's logic lives in its listeners),
 * and `write`/`end` that cannot answer past the callback ({@link guardClientStreamAnswer}).
 * `encoding`: see {@link UnaryMethod.encoding}.
 */
function wrapClientStreaming(
  path: string,
  handler: Handler,
  options: GrpcFaultOptions,
  domain: string,
  calls: InFlightCalls | undefined,
  encoding: ResponseEncoding | undefined,
) {
  return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    // As UnaryRun's: 0 until answered; 1 once answered with its message; 2 once answered with a
    // fault, or once a failure after the message was recorded (nothing more is recorded then).
    let state: 0 | 1 | 2 = 0;
    const done = () => state !== 0;
    let guard: GuardedCall | undefined;
    let entry: StreamEntry | undefined;
    const fail = (error: unknown) => {
      if (state === 2 || (state === 1 && error === SERVER_SHUTDOWN)) return;
      const fault = callFault(error, call.metadata, path, options, requestOf(call, guard?.lastMessage), call);
      // After the message: recorded (once), never answered; the client keeps its answer.
      if (state === 1) {
        state = 2;
        answerWhenReady(fault, recordedOnly);
        return;
      }
      state = 2;
      untrack(entry);
      answerWhenReady(fault, (ready) => callback(faultStatus(ready, domain)));
    };
    const guarded: sendUnaryData<unknown> = (error, value, trailer, flags) => {
      if (done()) {
        if (error !== null && error !== undefined) fail(error);
        return;
      }
      const failure = answerFailure(error, value);
      if (failure !== undefined) {
        fail(failure.error);
        return;
      }
      const message = encoding === undefined ? value : serializeResponse(encoding, value);
      // The serializer runs the application's code (a `toJSON`), which may answer the call itself.
      if (done()) return;
      if (encoding !== undefined && !(message instanceof Buffer)) {
        fail(message);
        return;
      }
      const trailers = handlerMetadata(trailer);
      if (trailers === INVALID) {
        fail(new InvalidMetadata('trailers'));
        return;
      }
      state = 1;
      untrack(entry);
      callback(null, message, trailers ?? undefined, flags);
    };
    rememberActiveSpan(call);
    entry = calls === undefined ? undefined : new StreamEntry(call, fail);
    // grpc-js destroys the call itself (no value) when the client cancels: not the handler's failure.
    // Node never does (the call's writable side never finishes), even once the request stream ended.
    guard = guardCall(call as unknown as GuardableCall, fail, () => done() || flag(call, 'cancelled'), entry, false);
    // grpc-js's call is a Duplex: its `write` and `end` would answer past the callback.
    guardClientStreamAnswer(call as unknown as AnswerableCall, { fail, answered: done });
    iterateWithoutDestroy(call);
    if (entry !== undefined) calls?.add(entry);
    runHandler(handler, call, guarded, { fail });
  };
}

/**
 * A server-streaming or bidi method: the full stream guard; with `encoding` (see
 * {@link UnaryMethod.encoding}), its `write` serializes every message first ({@link guardWrite}).
 */
function wrapStreaming(
  path: string,
  handler: Handler,
  options: GrpcFaultOptions,
  domain: string,
  calls: InFlightCalls | undefined,
  encoding: ResponseEncoding | undefined,
) {
  return (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) => {
    let failed = false;
    let guard: GuardedCall | undefined;
    let entry: StreamEntry | undefined;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      untrack(entry);
      const fault = callFault(error, call.metadata, path, options, requestOf(call, guard?.lastMessage), call);
      // The handler ended the stream: its status stands, the failure is only recorded (callFault did).
      if (flag(call, 'writableEnded') && error !== SERVER_SHUTDOWN) answerWhenReady(fault, recordedOnly);
      // grpc-js turns an 'error' event into the call's status and ends the stream.
      else answerWhenReady(fault, (ready) => guard?.emit('error', faultStatus(ready, domain)));
    };
    rememberActiveSpan(call);
    entry = calls === undefined ? undefined : new StreamEntry(call, fail);
    // A bare `destroy()` once the stream ended (Node's auto-destroy) or the client cancelled the
    // call (grpc-js destroys it without a value) is no failure of the handler's.
    const ended = () => failed || flag(call, 'writableEnded') || flag(call, 'cancelled');
    guard = guardCall(call as unknown as GuardableCall, fail, ended, entry, true);
    if ('request' in call && isDecodeFailure(call.request)) {
      fail(decodeFault(call.request));
      return;
    }
    if (encoding !== undefined) guardWrite(call as unknown as WritableCall, encoding, fail);
    iterateWithoutDestroy(call);
    if (entry !== undefined) calls?.add(entry);
    runHandler(handler, call, undefined, { fail });
  };
}

/**
 * {@link wrapService}, the calls listed on `calls` (their server's list) when given. `sendLimit`,
 * when given: the handlers serialize their responses themselves (grpc-js gets
 * `passSerializedResponses`) and hold them against that limit ({@link sendLimitOf}).
 */
function wrapMethods<T extends UntypedServiceImplementation>(
  definition: ServiceDefinition,
  implementation: T,
  options: GrpcFaultOptions,
  calls: InFlightCalls | undefined,
  sendLimit: number | undefined,
): T {
  resolveGrpcOptions(options);
  const domain = options.domain ?? 'faultline';
  const wrapped: Record<string, unknown> = { ...implementation };
  for (const [name, method] of Object.entries(definition)) {
    const handler = handlerOrDefault(implementation, name, method.originalName);
    if (handler === undefined) continue;
    const path = method.path;
    const encoding = sendLimit === undefined ? undefined : encodingOf(method, sendLimit);
    wrapped[name] = method.responseStream
      ? wrapStreaming(path, handler, options, domain, calls, encoding)
      : method.requestStream
        ? wrapClientStreaming(path, handler, options, domain, calls, encoding)
        : wrapUnary({ path, handler, options, domain, calls, encoding });
  }
  return wrapped as T;
}

/**
 * Wraps every method of `implementation` (handlers of `definition`, as passed to
 * `server.addService`): every failure of a handler, of any method kind, style or value (an error
 * whose `code` is 0 included), ends its call with Faultline's status; a method of `definition`
 * without a handler is answered `not_implemented`. Unknown keys are left as they are. It knows no
 * server, so what only the server can install is not there: use `addFaultlineService`, or add each
 * part yourself: request decoding (`guardDefinition`, below), unknown paths
 * (`answerUnknownMethods`), the server's interceptors (`guardInterceptor`; an unguarded throw ends
 * the process). Out of its reach: the answers of `shutdownGracefully` at its deadline, and
 * Faultline's serialization of responses (grpc-js serializes them, and answers a failure itself,
 * INTERNAL without an id). See the gRPC guide.
 *
 * @example
 * server.addService(guardDefinition(OrdersService), wrapService(OrdersService, impl, { reporter }));
 */
export function wrapService<T extends UntypedServiceImplementation>(
  definition: ServiceDefinition,
  implementation: T,
  options: GrpcFaultOptions = {},
): T {
  return wrapMethods(definition, implementation, options, undefined, undefined);
}

/**
 * Registers a service with guarded request decoding and wrapped handlers: the one call to make
 * instead of `server.addService`. The wrapped handlers serialize their responses themselves (a
 * message that fails to serialize ends the call with Faultline's INTERNAL, recorded with the
 * serializer's error as its cause), and grpc-js gets the bytes (see `passSerializedResponses`). A
 * response over the server's `grpc.max_send_message_length` ends the call the same way (INTERNAL,
 * recorded as `ResponseTooLarge`) instead of grpc-js's own RESOURCE_EXHAUSTED without an id.
 * Create the server with `grpc.max_receive_message_length` above `maxReceiveMessageLength` (twice
 * it, say) so oversized requests get Faultline's answer, but bounded: grpc-js inflates a
 * compressed message only up to that limit (-1 would inflate a zip bomb whole, before any guard
 * sees it). Calls to unknown methods of the server are answered as faults too (see
 * {@link answerUnknownMethods}).
 * Create the server with its interceptors first: whether the interceptor may skip these methods'
 * calls depends on them (see `createServerInterceptor`), and every one of them that is not
 * Faultline's is guarded here (see `guardInterceptor`; once per server, with the options of the
 * first call), so a throw from it, or a rejection of an `async` hook of it, ends its call as a
 * fault instead of the process. The calls are listed on the server's calls in flight until they
 * end, for `shutdownGracefully`.
 */
export function addFaultlineService(
  server: Server,
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  options: GrpcFaultOptions = {},
): void {
  // The application's interceptors on the server: a throw or rejection of theirs ends a call, not the process.
  guardServerInterceptors(server, options);
  // Request decoding guarded; responses serialized by the wrapped handlers, passed on by grpc-js.
  const guarded = passSerializedResponses(guardDefinition(definition, options));
  // grpc-js's send limit, read now: a response over it is answered as Faultline's fault, with its id.
  const sendLimit = sendLimitOf(server);
  const wrapped = wrapMethods(definition, implementation, options, callsOf(server), sendLimit);
  server.addService(guarded, wrapped);
  // With an interceptor of the application's outside Faultline's, every call is intercepted.
  if (passThroughIsSafe(server)) markWrappedMethods(guarded, wrapped);
  answerUnknownMethods(server, options);
}
