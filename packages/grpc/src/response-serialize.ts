/**
 * Response encoding that cannot fail past Faultline. grpc-js serializes a handler's response in
 * its base call, past every interceptor, and answers a serializer's throw (a BigInt in a JSON
 * message, a `toJSON` that throws, a protobuf field of the wrong type) with its own INTERNAL
 * "Error serializing response": no `x-request-id`, no rich status, no record. For the methods of
 * `addFaultlineService`, the wrapper serializes the message itself, with the method's own
 * serializer, before grpc-js sees it: a failure is the call's fault, like any other. grpc-js gets
 * the bytes and a serializer that passes them on, so a message is serialized once.
 *
 * The bytes are also held against the server's `grpc.max_send_message_length`, as grpc-js would
 * (which answers a larger message with its own RESOURCE_EXHAUSTED, naming both sizes, without an
 * id): a message over it is the call's fault too, `internal` (see {@link sendLimitOf}).
 */
import { FaultError, isObjectLike, safeGet } from '@faultline/core/adapter';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { refuseWrite } from './write-callback.js';

/** A method's response serializer. */
export type Serialize = (value: unknown) => Buffer;

/** The text of the fault's internal message (logs only). */
const NOT_SERIALIZED = 'response message could not be serialized';

/** How a wrapped method's responses are encoded: the method's serializer and the server's send limit. */
export interface ResponseEncoding {
  /** The method's response serializer. */
  readonly serialize: Serialize;
  /** The largest message grpc-js sends, in bytes ({@link sendLimitOf}); `Infinity` when unlimited. */
  readonly maxLength: number;
}

/** grpc-js's server option capping a response message (private to the server once it is made). */
const SEND_LIMIT_OPTION = 'grpc.max_send_message_length';

/**
 * The send limit grpc-js applies to `server`'s responses: its `grpc.max_send_message_length`,
 * read from the options grpc-js keeps on the server (`Server#options`, internal), compared as
 * grpc-js compares it (a message whose length is above it is refused; -1 is no limit, as is
 * NaN). `Infinity` when the option is absent or not a number, or the server keeps no options
 * (another grpc-js): grpc-js then answers an oversized message itself. Never throws.
 */
export function sendLimitOf(server: object): number {
  const options = safeGet(server, 'options');
  const limit = isObjectLike(options) ? safeGet(options, SEND_LIMIT_OPTION) : undefined;
  return typeof limit === 'number' && limit !== -1 && !Number.isNaN(limit) ? limit : Number.POSITIVE_INFINITY;
}

/** Stands in for a response message over the server's send limit (its size and the limit only). */
export class ResponseTooLarge extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`response message of ${size} bytes over the send limit (${SEND_LIMIT_OPTION}) of ${limit}`);
    this.name = 'ResponseTooLarge';
  }
}

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

/** The fault of a response over the send limit: `internal`, the server's own doing. */
function tooLarge(size: number, limit: number): FaultError {
  const cause = new ResponseTooLarge(size, limit);
  return FaultError.of('internal', { cause, message: cause.message, stack: false });
}

/**
 * `value` serialized with `encoding`: the Buffer, or the `internal` fault to end the call with
 * when the serializer threw (any value: the fault's cause, never read here) or returned anything
 * but a Buffer, or when the Buffer is over the send limit. Never throws. No allocation beyond the
 * serializer's on success, and one length comparison.
 */
export function serializeResponse(encoding: ResponseEncoding, value: unknown): Buffer | FaultError {
  let bytes: unknown;
  try {
    bytes = encoding.serialize(value);
  } catch (error) {
    return notSerialized(error);
  }
  if (bytes instanceof Buffer)
    return bytes.length > encoding.maxLength ? tooLarge(bytes.length, encoding.maxLength) : bytes;
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

/** The response encoding of a method definition, with the server's send limit, when it has a serializer. */
export function encodingOf(
  method: { readonly responseSerialize?: unknown },
  maxLength: number,
): ResponseEncoding | undefined {
  const serialize = method.responseSerialize;
  return typeof serialize === 'function' ? { serialize: serialize as Serialize, maxLength } : undefined;
}

/** A streaming call's `write`, as the wrapper replaces it. */
export interface WritableCall {
  write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean;
}

/**
 * Replaces `call.write` (server streaming, bidi): every message is serialized with `response`
 * first and written as bytes. One that fails, or is over the send limit, ends the call through
 * `fail` with its fault (the messages written before it are sent first; the write returns false
 * and its callback, if any, gets the fault on the next tick, as Node's own failed writes do).
 * `null` goes to the stream's own `write` as it came (which throws, as it always did).
 */
export function guardWrite(call: WritableCall, response: ResponseEncoding, fail: (error: unknown) => void): void {
  const write = call.write;
  call.write = function serializingWrite(this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (chunk === null) return write.call(this, chunk, encoding, callback);
    const bytes = serializeResponse(response, chunk);
    if (bytes instanceof Buffer) return write.call(this, bytes, encoding, callback);
    fail(bytes);
    return refuseWrite(encoding, callback, bytes);
  };
}
