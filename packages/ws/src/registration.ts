/**
 * Listeners wrapped when they are added. A guarded `emit` sees what a listener throws, never what
 * it returns: the promise of an `async` listener, which rejects outside every adapter frame and
 * reaches `unhandledRejection` (Node's default mode ends the process). Node's own answer,
 * `captureRejections`, is set per emitter only when it is constructed (ws constructs its sockets
 * and servers without it) or for every emitter of the process at once: neither fits. So an
 * emitter the adapter adopts gets its own (or, for a socket, its prototype's) `on`, `addListener`,
 * `prependListener`, `once` and `prependOnceListener`: a listener of one of the guarded events is
 * added wrapped (one closure per listener added), the wrapper keeping the listener as its `listener` property, which is how
 * EventEmitter's `removeListener`, `off`, `listeners` and `listenerCount` find a `once` listener:
 * removing the listener itself still works. Listeners of other events are added as they are.
 */
import { EventEmitter } from 'node:events';

/** A listener, as EventEmitter calls it (`this` is the emitter). */
export type Listener = (this: EventEmitter, ...args: unknown[]) => unknown;

/**
 * Wraps a listener of `event` (the wrapper calls it with the same `this` and arguments), or
 * returns `undefined` for a listener to add as it is.
 */
export type WrapListener = (listener: Listener, event: string | symbol) => Listener | undefined;

/** EventEmitter's registration methods; `on` and `addListener` are the same function. */
const { on, prependListener, once, prependOnceListener } = EventEmitter.prototype;

type Add = (this: EventEmitter, event: string | symbol, listener: Listener) => EventEmitter;

/** The registration methods an adopted emitter gets as its own. */
type Method = 'on' | 'addListener' | 'prependListener' | 'once' | 'prependOnceListener';

/**
 * A listener that runs once, as EventEmitter's `once` makes it: removed before it runs, run at
 * most once even when the event is emitted again from inside an earlier listener.
 */
function onceWrapper(event: string | symbol, wrapped: Listener, listener: Listener): Listener {
  let fired = false;
  const wrapper = function (this: EventEmitter, ...args: unknown[]) {
    if (fired) return undefined;
    fired = true;
    this.removeListener(event, wrapper);
    return wrapped.apply(this, args);
  };
  return Object.assign(wrapper, { listener });
}

/** An adopted emitter's registration methods (`addListener` is `on`, as on EventEmitter). */
export type RegistrationMethods = Readonly<Record<Method, Add>>;

/**
 * The wrapping registration methods: made once and shared by every emitter that gets them, as
 * own properties or from a prototype (nothing per emitter). `events` are the events whose
 * listeners `wrap` wraps.
 */
export function registrationMethods(events: ReadonlySet<string | symbol>, wrap: WrapListener): RegistrationMethods {
  /** `add` (`on` or `prependListener`), the listener wrapped when it listens to a guarded event. */
  const adding = (add: Add, runsOnce: boolean) =>
    function guardedAdd(this: EventEmitter, event: string | symbol, listener: Listener): EventEmitter {
      const wrapped = events.has(event) && typeof listener === 'function' ? wrap(listener, event) : undefined;
      if (wrapped === undefined) {
        // As it is: EventEmitter's own (`once` adds through `this.on`, which passes it on).
        return (runsOnce ? (add === on ? once : prependOnceListener) : add).call(this, event, listener);
      }
      return add.call(
        this,
        event,
        runsOnce ? onceWrapper(event, wrapped, listener) : Object.assign(wrapped, { listener }),
      );
    };
  const guardedOn = adding(on, false);
  return {
    on: guardedOn,
    addListener: guardedOn,
    prependListener: adding(prependListener, false),
    once: adding(on, true),
    prependOnceListener: adding(prependListener, true),
  };
}

/** True when `emitter`'s registration methods, own or inherited, are all EventEmitter's. */
export function hasEventEmitterRegistration(emitter: EventEmitter): boolean {
  const own = emitter as unknown as Record<Method, unknown>;
  return (
    own.on === on &&
    own.addListener === on &&
    own.prependListener === prependListener &&
    own.once === once &&
    own.prependOnceListener === prependOnceListener
  );
}

/**
 * Installs an emitter's wrapping registration methods (see {@link registrationMethods}) as its
 * own; false when it has them already. An emitter with registration methods of its own is left
 * as it is.
 */
export function registrationGuard(
  events: ReadonlySet<string | symbol>,
  wrap: WrapListener,
): (emitter: EventEmitter) => boolean {
  const guarded = registrationMethods(events, wrap);
  return (emitter) => {
    if (!hasEventEmitterRegistration(emitter)) return false;
    Object.assign(emitter, guarded);
    return true;
  };
}

/**
 * Wraps the listeners of `event` that `emitter` has already (added before it was adopted),
 * keeping their order: each is removed and added again wrapped, through EventEmitter's own `on`.
 */
export function wrapExisting(emitter: EventEmitter, event: string | symbol, wrap: WrapListener): void {
  const existing = emitter.rawListeners(event) as Listener[];
  if (existing.length === 0) return;
  for (const listener of existing) emitter.removeListener(event, listener);
  // A `once` listener stays Node's own wrapper, which removes itself through its `listener`.
  for (const listener of existing) {
    const wrapped = wrap(listener, event);
    on.call(emitter, event, wrapped === undefined ? listener : Object.assign(wrapped, { listener }));
  }
}
