/**
 * Listeners the application adds to a socket itself (`socket.on('message', …)`, `'ping'`,
 * `'pong'`, `'close'`, `'error'`), not through `fl.message`: ws calls them from its receiver,
 * inside the TCP socket's 'data' listener or a timer, so a throw there ends the process, and so
 * does an `async` listener's rejection (`unhandledRejection`). The adapter gives each socket it
 * adopts an `emit` that calls EventEmitter's inside `try` (from a prototype shared by every socket
 * of its class, or as its own: see {@link listenerGuard}): a throw from a listener of one of ws's
 * events is caught below ws's own frame (ws's parser goes on as if the listener had
 * returned) and answered as a wrapped handler's throw would be. As with EventEmitter's own
 * `emit`, the listeners after the one that threw do not run for that event. An event ws does not
 * emit (the application's own) throws to its caller as before. The socket's registration methods
 * wrap each listener of ws's events as it is added (see `registration.ts`): a thenable it returns
 * that rejects is answered the same way, once; so is a handler's through `addEventListener` or
 * `onmessage` (see `event-target-guard.ts`).
 */
import { EventEmitter } from 'node:events';
import { isThenable } from '@faultline/core/adapter';
import type { WebSocket } from 'ws';
import { eventTargetGuard } from './event-target-guard.js';
import { hasEventEmitterRegistration, type Listener, registrationGuard, registrationMethods } from './registration.js';
import { settleOnce } from './settle.js';

/** The events ws emits on a socket. */
const WS_EVENTS: ReadonlySet<string | symbol> = new Set(['message', 'ping', 'pong', 'close', 'error', 'open']);

/** EventEmitter's own `emit`, which ws's WebSocket does not override. */
const emit = EventEmitter.prototype.emit;

/** Listeners the adapter made, which never return a thenable: added as they are. */
const trustedListeners = new WeakSet<object>();

/** Marks `listener` (one the adapter made, which returns no thenable) to be added unwrapped; returns it. */
export function trusted<T extends object>(listener: T): T {
  trustedListeners.add(listener);
  return listener;
}

/** True for a listener marked {@link trusted}. */
export function isTrusted(listener: object): boolean {
  return trustedListeners.has(listener);
}

/** Installs a socket's guarded `emit` and registration methods; false when `socket` has them already. */
export type GuardListeners = (socket: WebSocket) => boolean;

/** The methods a socket gets: `emit`, the registration methods, and its class's event-target methods. */
const GUARDED_KEYS = [
  'emit',
  'on',
  'addListener',
  'prependListener',
  'once',
  'prependOnceListener',
  'addEventListener',
  'removeEventListener',
] as const;

/** Each guarded prototype's base (its class's prototype), for every adapter of the process. */
const baseOf = new WeakMap<object, object>();

/** True when `socket` has none of the guarded methods as its own (each comes from its class). */
function inheritsAll(socket: WebSocket): boolean {
  for (const key of GUARDED_KEYS) if (Object.hasOwn(socket, key)) return false;
  return true;
}

/**
 * The guard of an adapter: `onThrow` answers what a listener of `event` threw on `socket`, or
 * rejected with (it must not throw). A socket whose methods are its class's (EventEmitter's `emit`
 * and registration methods, none of its own) gets them from a prototype made once per class,
 * between the socket and its class's prototype: nothing is stored on the socket itself. Any
 * other socket gets them as its own (one `emit` for every socket whose `emit` is EventEmitter's; a
 * socket whose `emit` someone replaced before gets a wrapper of that one).
 */
export function listenerGuard(onThrow: (socket: WebSocket, thrown: unknown, event: string) => unknown): GuardListeners {
  /** `inner` (an `emit`) inside `try`: what a listener of one of ws's events throws is answered. */
  const guarding = (inner: typeof emit) =>
    function guardedEmit(this: WebSocket, event: string | symbol): boolean {
      try {
        // `arguments`, not a rest parameter: optimized, passed on without an array per event.
        // biome-ignore lint/complexity/noArguments: forwarded as is, whatever their number
        return inner.apply(this, arguments as unknown as [string | symbol, ...unknown[]]);
      } catch (error) {
        if (!WS_EVENTS.has(event)) throw error;
        onThrow(this, error, event as string);
        return true;
      }
    };
  const guardedEmit = guarding(emit);
  /** A listener whose returned thenable, when it rejects, is answered (its throw is `emit`'s). */
  const answeringRejection = (listener: Listener, event: string | symbol): Listener =>
    function rejectionGuarded(this: EventEmitter, ...args: unknown[]) {
      const result = listener.apply(this, args);
      // A `then` getter that throws reads as no thenable: nothing to wait for, nothing thrown.
      if (isThenable(result)) {
        settleOnce(result, undefined, (reason) => onThrow(this as WebSocket, reason, event as string));
      }
      return result;
    };
  const wrapListener = (listener: Listener, event: string | symbol) =>
    trustedListeners.has(listener) ? undefined : answeringRejection(listener, event);
  const registration = registrationMethods(WS_EVENTS, wrapListener);
  const guardRegistration = registrationGuard(WS_EVENTS, wrapListener);
  const eventTarget = eventTargetGuard(answeringRejection);
  /** The guarded prototype over each class's prototype, and the guarded prototypes themselves. */
  const prototypes = new WeakMap<object, object>();
  function guardedPrototype(base: object): object {
    let proto = prototypes.get(base);
    if (proto === undefined) {
      proto = Object.create(base, {
        emit: { value: guardedEmit, writable: true, configurable: true },
        ...Object.fromEntries(
          Object.entries({ ...registration, ...eventTarget.methodsFor(base) }).map(([key, value]) => [
            key,
            { value, writable: true, configurable: true },
          ]),
        ),
      }) as object;
      prototypes.set(base, proto);
      baseOf.set(proto, base);
    }
    return proto;
  }
  return (socket) => {
    const own = socket.emit;
    if (own === guardedEmit || (own as { guarded?: unknown }).guarded === guardedEmit) return false;
    const proto = Object.getPrototypeOf(socket) as object | null;
    if (
      proto !== null &&
      !baseOf.has(proto) &&
      own === emit &&
      hasEventEmitterRegistration(socket) &&
      inheritsAll(socket)
    ) {
      Object.setPrototypeOf(socket, guardedPrototype(proto));
      return true;
    }
    socket.emit = own === emit ? guardedEmit : Object.assign(guarding(own), { guarded: guardedEmit });
    guardRegistration(socket);
    // Over its class's methods (another adapter's guarded prototype, if any, is passed over).
    const methods = proto === null ? undefined : eventTarget.methodsFor(baseOf.get(proto) ?? proto);
    if (methods !== undefined) Object.assign(socket, methods);
    return true;
  };
}
