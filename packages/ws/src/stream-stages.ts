/**
 * The stages piped to and from a guarded duplex. Node's Writable reads `stack` of the error a
 * write, final or flush callback gets (`er.stack`, before it records the error or destroys the
 * stream), and Node's Transform does not catch a `transform` that throws: a stage failing with a
 * value whose `stack` getter throws (a hostile Proxy, an Error with a throwing getter), or
 * throwing outright, throws inside ws's 'message' listener or a timer, outside every adapter,
 * and ends the process. Each stage a guarded duplex pipes to (and each stage those pipe to) has
 * its write, writev and final (a Transform's flush) callbacks guarded: such a value is answered
 * at once (recorded, the socket closed with its code and `<CODE> <request_id>`), and Node gets a
 * plain Error in its place. So is such a value passed to `destroy` of the duplex or of a stage
 * (Node's `destroy` reads `stack` too): what `stream.compose` and `pipeline` do with an async
 * generator stage that throws it, or the application's own call. An ordinary Error passes
 * through unchanged.
 */
import type { Duplex, Writable } from 'node:stream';
import { chainDescriptor } from '@faultline/core/adapter';

/** A Node stream callback (write, final, flush). */
type Callback = (error?: unknown, value?: unknown) => void;
/** A stream method taking a callback last (`_write`, `_writev`, `_final`, `_flush`). */
type WithCallback = (this: unknown, ...args: unknown[]) => unknown;

/** What `stack` of an Error V8 made is: a data property, or V8's own getter. */
const NATIVE_STACK_GETTER = chainDescriptor(new Error('reference'), 'stack')?.get;

/** Stand-ins handed to Node for values it cannot read: answered already. */
const standIns = new WeakSet<object>();

/** Stages already guarded (a stage piped twice is guarded once). */
const guarded = new WeakSet<object>();

/**
 * True when Node may read `stack` of `error` without running code of its own (a primitive, a
 * data property, V8's getter, or no `stack` at all). Reads descriptors only: no getter, no trap.
 */
export function stackIsInert(error: unknown): boolean {
  if ((typeof error !== 'object' && typeof error !== 'function') || error === null) return true;
  const descriptor = chainDescriptor(error, 'stack');
  if (descriptor === null) return false;
  return descriptor === undefined || descriptor.get === undefined || descriptor.get === NATIVE_STACK_GETTER;
}

/** True for the Error handed to Node in place of a value answered by {@link guardStages}. */
export function isStandIn(error: unknown): boolean {
  return typeof error === 'object' && error !== null && standIns.has(error);
}

/** The Error Node gets in place of a value it cannot read, which was answered as `id`. */
function standIn(id: string): Error {
  const error = new Error(`@faultline/ws: a stream stage failed with a value Node cannot read (answered as ${id})`);
  standIns.add(error);
  return error;
}

/**
 * Guards the stages `duplex` pipes to, and those they pipe to, up to `duplex` itself. `answer`
 * records a value Node cannot read (and closes the socket) and returns its fault's id.
 */
export function guardStages(duplex: Duplex, answer: (thrown: unknown) => string): void {
  /** A callback that hands Node a stand-in for a value it cannot read. */
  const safe =
    (callback: Callback): Callback =>
    (error, value) =>
      callback(stackIsInert(error) ? error : standIn(answer(error)), value);

  /** Replaces `stream[key]` (a method with a callback last) with one whose callback is safe and whose throw is its failure. */
  function wrap(stream: Record<string, unknown>, key: string): void {
    const method = stream[key];
    if (typeof method !== 'function') return;
    // Node passes `_write` and `_writev` the same callback each time: one guarded closure for it.
    let last: Callback | undefined;
    let lastSafe: Callback = () => undefined;
    stream[key] = function guardedMethod(this: unknown, ...args: unknown[]) {
      const callback = args[args.length - 1] as Callback;
      if (callback !== last) {
        last = callback;
        lastSafe = safe(callback);
      }
      args[args.length - 1] = lastSafe;
      try {
        return (method as WithCallback).apply(this, args);
      } catch (error) {
        // A throwing transform: its failure, as Node would have it from the callback.
        lastSafe(error);
        return undefined;
      }
    };
  }

  /** Replaces `stream.destroy`: a value Node cannot read (it reads `stack` first) is answered, a stand-in destroys. */
  function wrapDestroy(stream: Record<string, unknown>): void {
    const destroy = stream.destroy;
    if (typeof destroy !== 'function') return;
    stream.destroy = function guardedDestroy(this: unknown, ...args: unknown[]) {
      if (args.length > 0 && !stackIsInert(args[0])) args[0] = standIn(answer(args[0]));
      return (destroy as WithCallback).apply(this, args);
    };
  }

  function guard(stage: unknown): void {
    if (stage === duplex || typeof stage !== 'object' || stage === null || guarded.has(stage)) return;
    guarded.add(stage);
    const stream = stage as Record<string, unknown>;
    wrapDestroy(stream);
    wrap(stream, '_write');
    wrap(stream, '_writev');
    // A Transform's `_final` calls `_flush`: Node calls a Transform's `_final` a second time when
    // it is not Node's own, so a Transform keeps its `_final` and has its `_flush` guarded.
    wrap(stream, typeof stream._transform === 'function' ? '_flush' : '_final');
    followPipes(stream);
  }

  function followPipes(stream: Record<string, unknown>): void {
    const pipe = stream.pipe;
    if (typeof pipe !== 'function') return;
    stream.pipe = function guardedPipe(this: unknown, destination: Writable, options?: unknown) {
      guard(destination);
      return pipe.call(this, destination, options);
    };
  }

  wrapDestroy(duplex as unknown as Record<string, unknown>);
  followPipes(duplex as unknown as Record<string, unknown>);
}
