/**
 * Methods registered through `addFaultlineService`: decoding guarded and every handler failure
 * answered by the wrapper with Faultline's status. The server interceptor leaves their calls to
 * grpc-js untouched, so a successful call costs no interceptor work. They are recognised by their
 * guarded request deserializer, which grpc-js hands to every interceptor in the method
 * descriptor; the set is filled once per method at registration.
 */
import { FaultError } from '@faultline/core/adapter';
import type { Server, ServerInterceptingCallInterface, ServiceDefinition } from '@grpc/grpc-js';
import type { Handler } from './unary-run.js';

const wrapped = new WeakSet<object>();
/** Interceptors made by `createServerInterceptor`. */
const faultlineInterceptors = new WeakSet<object>();

/** Remembers `interceptor` as Faultline's (see {@link passThroughIsSafe}). */
export function rememberFaultlineInterceptor(interceptor: object): void {
  faultlineInterceptors.add(interceptor);
}

/** True when `value` was made by `createServerInterceptor`. */
export function isFaultlineInterceptor(value: unknown): boolean {
  return typeof value === 'function' && faultlineInterceptors.has(value);
}

/**
 * True when Faultline's interceptor may pass the wrapped methods' calls of `server` untouched:
 * no interceptor of the application's comes after the first Faultline interceptor in the
 * server's list. grpc-js makes the last interceptor the outermost, so a status an interceptor
 * listed after Faultline's sends itself (an auth check rejecting a call, with its own text and
 * trailers) reaches the client only through Faultline's `sendStatus`, which an untouched call
 * does not have. Reads grpc-js's `Server#interceptors` (internal): when it is not there, false.
 */
export function passThroughIsSafe(server: Server): boolean {
  const list: unknown = (server as unknown as { interceptors?: unknown }).interceptors;
  if (!Array.isArray(list)) return false;
  const first = list.findIndex((interceptor) => faultlineInterceptors.has(interceptor));
  return first === -1 || list.slice(first + 1).every((interceptor) => faultlineInterceptors.has(interceptor));
}

/**
 * The handler grpc-js would call for a method: the one under the method's name, else under its
 * `originalName` (proto-loader's lower-camel `getOrder` for `GetOrder`), as `server.addService`
 * looks it up. The wrapper is then registered under the name, which grpc-js tries first.
 */
export function handlerOf(implementation: object, name: string, originalName: unknown): Handler | undefined {
  const methods = implementation as Record<string, unknown>;
  const handler = methods[name] ?? (typeof originalName === 'string' ? methods[originalName] : undefined);
  return typeof handler === 'function' ? (handler as Handler) : undefined;
}

/**
 * The handler of a method of the definition the implementation has no handler for: its calls fail
 * with `not_implemented` (grpc-js's default handler would answer `UNIMPLEMENTED` itself, with
 * text naming the method, no id and no record). The wrapper of the method's kind answers the throw
 * as any other, so the call gets Faultline's status on a server without its interceptor too.
 */
function notImplemented(): never {
  throw FaultError.of('not_implemented', { message: 'method not implemented by the service', stack: false });
}

/**
 * {@link handlerOf}, else, when grpc-js would register its default handler for the method (nothing
 * under the name nor under its `originalName`), {@link notImplemented}. A value that is no
 * function is left to grpc-js, whose `addService` throws on it as before.
 */
export function handlerOrDefault(implementation: object, name: string, originalName: unknown): Handler | undefined {
  const methods = implementation as Record<string, unknown>;
  const missing =
    methods[name] === undefined && (typeof originalName !== 'string' || methods[originalName] === undefined);
  return missing ? notImplemented : handlerOf(implementation, name, originalName);
}

/**
 * Marks one request decoder as that of a method whose every answer is Faultline's own (the
 * unknown-method handler's): Faultline's interceptor passes its calls as it passes wrapped ones.
 */
export function markWrappedDecoder(requestDeserialize: object): void {
  wrapped.add(requestDeserialize);
}

/**
 * Marks the methods of `definition` (a guarded definition) that `implementation` (the wrapped
 * one) has a handler for: every method `wrapService` wrapped, those it answers `not_implemented`
 * included. A key whose value is no function is not marked.
 */
export function markWrappedMethods(definition: ServiceDefinition, implementation: object): void {
  for (const [name, method] of Object.entries(definition)) {
    if (
      handlerOf(implementation, name, method.originalName) !== undefined &&
      typeof method.requestDeserialize === 'function'
    )
      wrapped.add(method.requestDeserialize);
  }
}

/** Answers an unknown method's call at interception; returns what grpc-js's handler gets. */
export type UnknownMethodAnswer = (
  call: ServerInterceptingCallInterface,
  path: string,
) => ServerInterceptingCallInterface;

const kUnknownMethodAnswer = Symbol('faultline.unknownMethodAnswer');

/**
 * Marks `requestDeserialize` (the unknown-method handler's, marked wrapped too) with how Faultline's
 * interceptor answers its calls: on the decoder itself, so the interceptor's check costs the calls
 * of other methods one property read.
 */
export function markUnknownMethodDecoder(requestDeserialize: object, answer: UnknownMethodAnswer): void {
  Object.defineProperty(requestDeserialize, kUnknownMethodAnswer, { value: answer });
}

/** The answer {@link markUnknownMethodDecoder} put on a wrapped method's decoder, if any. */
export function unknownMethodAnswerOf(requestDeserialize: unknown): UnknownMethodAnswer | undefined {
  return (requestDeserialize as { [kUnknownMethodAnswer]?: UnknownMethodAnswer })[kUnknownMethodAnswer];
}

/** True when a method descriptor's `requestDeserialize` belongs to a method Faultline wrapped. */
export function isWrappedMethod(requestDeserialize: unknown): boolean {
  return typeof requestDeserialize === 'function' && wrapped.has(requestDeserialize);
}
