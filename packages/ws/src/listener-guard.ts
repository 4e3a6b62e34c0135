/**
 * Listeners the application adds to a socket itself (`socket.on('message', …)`, `'ping'`,
 * `'pong'`, `'close'`, `'error'`), not through `fl.message`: ws calls them from its receiver,
 * inside the TCP socket's 'data' listener or a timer, so a throw there ends the process, and so
 * does an `async` listener's rejection (`unhandledRejection`). The adapter gives each socket it
 * adopts an own `emit` that calls EventEmitter's inside `try`: a throw from a listener of one of
 * ws's events is caught below ws's own frame (ws's parser goes on as if the listener had
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
import { type Listener, registrationGuard } from './registration.js';
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

/**
 * The guard of an adapter: `onThrow` answers what a listener of `event` threw on `socket`, or
 * rejected with (it must not throw). One `emit` function for every socket whose `emit` is
 * EventEmitter's; a socket whose `emit` someone replaced before gets a wrapper of that one.
 */
export function listenerGuard(onThrow: (socket: WebSocket, thrown: unknown, event: string) => unknown): GuardListeners {
  /** `inner` (an `emit`) inside `try`: what a listener of one of ws's events throws is answered. */
  const guarding = (inner: typeof emit) =>
    function guardedEmit(this: WebSocket, event: string | symbol, ...args: unknown[]): boolean {
      try {
        return inner.call(this, event, ...args);
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
  const guardRegistration = registrationGuard(WS_EVENTS, (listener, event) =>
    trustedListeners.has(listener) ? undefined : answeringRejection(listener, event),
  );
  const guardEventTarget = eventTargetGuard(answeringRejection);
  return (socket) => {
    const own = socket.emit;
    if (own === guardedEmit || (own as { guarded?: unknown }).guarded === guardedEmit) return false;
    socket.emit = own === emit ? guardedEmit : Object.assign(guarding(own), { guarded: guardedEmit });
    guardRegistration(socket);
    guardEventTarget(socket);
    return true;
  };
}
