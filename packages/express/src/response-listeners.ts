/**
 * Listeners the application adds to a response's 'finish' and 'close' events (post-answer work:
 * an audit write, a metric, a cleanup). Node calls them from its own stream machinery, after the
 * answer left: a throw there was an uncaught exception (the process ended), an async listener's
 * rejection an unhandled one, and Faultline recorded nothing. Each such listener is added wrapped
 * instead: what it throws or rejects with goes to `failed` (recorded under the request's id; the
 * answer, already sent, stands), and the listeners after it still run.
 *
 * Put on the app's response prototype once per app (as `end` in ended.ts): `on`, `addListener`
 * and `prependListener` wrap a listener of those two events, `once` and `prependOnceListener` add
 * a wrapped one that removes itself. A response whose application adds no such listener pays
 * nothing (Node adds its own 'finish' listener before Express gives the response the app's
 * prototype). The wrapper carries the listener as `listener`, as Node's own `once` wrapper does:
 * `removeListener(listener)` and `listeners(event)` see the application's function.
 */
import { EventEmitter } from 'node:events';
import { isThenable } from '@faultline/core/adapter';

/** What gets a listener's failure, with the response it listened on. */
export type ListenerFailure = (error: unknown, response: object) => void;

type Listener = (...args: unknown[]) => unknown;
type Wrapped = Listener & { listener?: Listener };
type Add = (this: EventEmitter, event: string | symbol, listener: Listener) => EventEmitter;

/** The events whose listeners run after the answer left. */
const LATE_EVENTS: ReadonlySet<string | symbol> = new Set(['finish', 'close']);

/** Prototypes already given the methods. */
const prototypes = new WeakSet<object>();

/** `listener` for `response`, its throw and its promise's rejection going to `failed`. */
function wrap(listener: Listener, failed: ListenerFailure, removeOn?: string | symbol): Wrapped {
  const wrapped: Wrapped = function lateListener(this: EventEmitter, ...args: unknown[]): unknown {
    if (removeOn !== undefined) this.removeListener(removeOn, wrapped);
    try {
      const result = Reflect.apply(listener, this, args);
      if (isThenable(result)) Promise.resolve(result).then(undefined, (error: unknown) => failed(error, this));
      return result;
    } catch (error) {
      failed(error, this);
      return undefined;
    }
  };
  wrapped.listener = listener;
  return wrapped;
}

/** An adding method of EventEmitter's, wrapping listeners of {@link LATE_EVENTS}; `once`: self-removing. */
function adding(add: Add, failed: ListenerFailure, once: boolean): Add {
  return function addLate(this: EventEmitter, event, listener) {
    if (!LATE_EVENTS.has(event) || typeof listener !== 'function') return add.call(this, event, listener);
    return add.call(this, event, wrap(listener, failed, once ? event : undefined));
  };
}

/**
 * Gives `prototype` (an app's response prototype) the adding methods, once. Never throws: where
 * they cannot be put, listeners are added as before.
 */
export function guardResponseListeners(prototype: unknown, failed: ListenerFailure): void {
  if (typeof prototype !== 'object' || prototype === null || prototypes.has(prototype)) return;
  prototypes.add(prototype);
  const on = EventEmitter.prototype.on as Add;
  const prepend = EventEmitter.prototype.prependListener as Add;
  const methods: Record<string, Add> = {
    on: adding(on, failed, false),
    addListener: adding(on, failed, false),
    prependListener: adding(prepend, failed, false),
    once: adding(on, failed, true),
    prependOnceListener: adding(prepend, failed, true),
  };
  try {
    for (const [name, value] of Object.entries(methods)) {
      if (Object.hasOwn(prototype, name)) continue;
      Object.defineProperty(prototype, name, { configurable: true, enumerable: false, writable: true, value });
    }
  } catch {
    // A frozen prototype: listeners are added as before.
  }
}
