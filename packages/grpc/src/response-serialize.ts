/**
 * Response encoding that cannot fail past Faultline. grpc-js serializes a handler's response in
 * its base call, past every interceptor, and answers a serializer's throw (a BigInt in a JSON
 * message, a `toJSON` that throws, a protobuf field of the wrong type) with its own INTERNAL
 * "Error serializing response": no `x-request-id`, no rich status, no record. For the methods of
 * `addFaultlineService`, the wrapper serializes the message itself, with the method's own
 * serializer, before grpc-js sees it: a failure is the call's fault, like any other. grpc-js gets
 * the bytes and a serializer that passes them on, so a message is serialized once.
 */
import { FaultError } from '@faultline/core/adapter';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { refuseWrite } from './write-callback.js';

/** A method's response serializer. */
export type Serialize = (value: unknown) => Buffer;

/** The text of the fault's internal message (logs only). */
const NOT_SERIALIZED = 'response message could not be serialized';

/** Stands in for a serializer that returned something other than a Buffer (grpc-js copies a Buffer). */
export class SerializedNotABuffer extends Error {
  constructor(readonly type: string) {
    super(`the response serializer returned ${type}, not a Buffer`);
    this.name = 'SerializedNotABuffer';
  }
}

/** What a value is, for {@link SerializedNotABuffer}: its `typeof`, never its contents. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return 'a typed array';
  return typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
    ? 'a promise'
    : typeof value;
}

/** The fault of a response that could not be serialized: `internal`, its cause the serializer's. */
function notSerialized(cause: unknown): FaultError {
  return FaultError.of('internal', { cause, message: NOT_SERIALIZED, stack: false });
}

/**
 * `value` serialized by `serialize`: the Buffer, or the `internal` fault to end the call with when
 * the serializer threw (any value: the fault's cause, never read here) or returned anything but a
 * Buffer. Never throws. No allocation beyond the serializer's on success.
 */
export function serializeResponse(serialize: Serialize, value: unknown): Buffer | FaultError {
  let bytes: unknown;
  try {
    bytes = serialize(value);
  } catch (error) {
    return notSerialized(error);
  }
  if (bytes instanceof Buffer) return bytes;
  let kind: string;
  try {
    kind = kindOf(bytes);
  } catch {
    // A Proxy whose traps throw.
    kind = 'an unreadable value';
  }
  return notSerialized(new SerializedNotABuffer(kind));
}

/**
 * The serializer grpc-js gets for a wrapped method: a Buffer (the bytes the wrapper serialized)
 * passes as it is; anything else (a message an interceptor of the application's substitutes)
 * goes through the method's own `serialize`, as before. An interceptor that substitutes a Buffer
 * for the message has it sent as it is.
 */
function passSerialized(serialize: Serialize): Serialize {
  return (value) => (value instanceof Buffer ? value : serialize(value));
}

/**
 * A copy of `definition` whose response serializers pass the wrapper's bytes on (see
 * {@link passSerialized}); the rest of every method (its request deserializer, by identity) as it
 * was. Only for methods whose handlers serialize their responses (`addFaultlineService`).
 */
export function passSerializedResponses(definition: ServiceDefinition): ServiceDefinition {
  const passing: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    const serialize = method.responseSerialize as unknown;
    passing[name] =
      typeof serialize === 'function'
        ? { ...method, responseSerialize: passSerialized(serialize as Serialize) }
        : method;
  }
  return passing as ServiceDefinition;
}

/** The response serializer of a method definition, when it has one. */
export function serializerOf(method: { readonly responseSerialize?: unknown }): Serialize | undefined {
  const serialize = method.responseSerialize;
  return typeof serialize === 'function' ? (serialize as Serialize) : undefined;
}

/** A streaming call's `write`, as the wrapper replaces it. */
export interface WritableCall {
  write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean;
}

/**
 * Replaces `call.write` (server streaming, bidi): every message is serialized with `serialize`
 * first and written as bytes. One that fails ends the call through `fail` with its fault (the
 * messages written before it are sent first; the write returns false and its callback, if any,
 * gets the fault on the next tick, as Node's own failed writes do). `null` goes to the stream's
 * own `write` as it came (which throws, as it always did).
 */
export function guardWrite(call: WritableCall, serialize: Serialize, fail: (error: unknown) => void): void {
  const write = call.write;
  call.write = function serializingWrite(this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (chunk === null) return write.call(this, chunk, encoding, callback);
    const bytes = serializeResponse(serialize, chunk);
    if (bytes instanceof Buffer) return write.call(this, bytes, encoding, callback);
    fail(bytes);
    return refuseWrite(encoding, callback, bytes);
  };
}
