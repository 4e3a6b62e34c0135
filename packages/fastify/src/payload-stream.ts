/**
 * The payload stream a `preParsing` hook hands Fastify (a decompressor, a decryptor, a meter),
 * guarded at its two failure ends. Fastify's body reader marks the stream's error as the client's
 * with `err.statusCode = 400`, in an `'error'` listener: when the error was a string, a frozen or
 * sealed object, or a Proxy, that assignment threw out of the listener, an uncaught exception (a
 * crash), and the request never got an answer. And a stream destroyed without an error (the
 * falsy failure: `destroy()`, `destroy(null)`) emits neither `'end'` nor `'error'`: the body
 * reader waited forever. Guarded, an error Fastify cannot mark reaches it inside a carrier (an
 * `Error`, thrown-carrier.ts; Faultline answers and records the value itself), and a close before
 * the end is an error (a carried `undefined`, answered 500). An `Error` Fastify can mark passes
 * as it is. Cost: one closure per stream handed over, and a test per event the stream emits.
 */
import { types } from 'node:util';
import { carryThrown, chainDescriptor } from '@faultline/core/adapter';

/** The part of a Node stream used here. */
interface EmittingStream {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
  readonly readableEnded?: boolean;
}

/** Streams guarded already. */
const guarded = new WeakSet<object>();

/** True when `statusCode` of `value` is read without running code, as Fastify reads it. */
function plainStatusCode(value: object): boolean {
  const descriptor = chainDescriptor(value, 'statusCode');
  if (descriptor === null) return false;
  // Fastify assigns it.
  return descriptor === undefined || ('value' in descriptor && descriptor.writable === true);
}

/** `error` when Fastify's body reader can read and set its `statusCode`, else a carrier for it. */
function markable(error: unknown): unknown {
  const safe =
    types.isNativeError(error) && !types.isProxy(error) && Object.isExtensible(error) && plainStatusCode(error);
  return safe ? error : carryThrown(error, "Fastify's body reader");
}

/** True for a value with the stream methods used here. */
function isStream(value: unknown): value is EmittingStream {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false;
  const stream = value as Partial<EmittingStream>;
  return typeof stream.emit === 'function' && typeof stream.listenerCount === 'function';
}

/**
 * `payload` (what a `preParsing` hook handed Fastify) with its failures made readable; the raw
 * request itself (a hook passing its payload on), or anything else, as it is.
 */
export function guardPayloadStream(payload: unknown, raw: unknown): unknown {
  if (payload === raw || !isStream(payload) || guarded.has(payload)) return payload;
  guarded.add(payload);
  const emit = payload.emit;
  let failed = false;
  // `arguments`, not a rest parameter: no array allocated per `'data'` event.
  payload.emit = function guardedEmit(this: EmittingStream, event: string | symbol, error?: unknown): boolean {
    if (event === 'error') {
      failed = true;
      return emit.call(this, event, markable(error));
    }
    if (event === 'close' && !failed && this.readableEnded === false && this.listenerCount('error') > 0) {
      // Closed before its end, without an error: the body reader is still waiting.
      failed = true;
      emit.call(this, 'error', carryThrown(undefined, 'a payload stream closed before its end'));
    }
    // biome-ignore lint/complexity/noArguments: forwards every argument without allocating
    return emit.apply(this, arguments as unknown as [string | symbol, ...unknown[]]);
  };
  return payload;
}

/** A preParsing hook's `done`, guarding the payload stream passed to it ({@link guardPayloadStream}). */
export function guardingPayloadDone(
  done: (error?: unknown, payload?: unknown) => void,
  raw: unknown,
): (error?: unknown, payload?: unknown) => void {
  return (error, payload) => done(error, guardPayloadStream(payload, raw));
}

/** What an async preParsing hook returned, its payload stream guarded once it resolves. */
export function guardPayloadResult(result: unknown, raw: unknown): unknown {
  return types.isPromise(result) ? result.then((payload) => guardPayloadStream(payload, raw)) : result;
}
