/**
 * Listeners the application adds to a socket itself (`socket.on('message', …)`, `'ping'`,
 * `'pong'`, `'close'`, `'error'`), not through `fl.message`: ws calls them from its receiver,
 * inside the TCP socket's 'data' listener or a timer, so a throw there ends the process. The
 * adapter gives each socket it adopts an own `emit` that calls EventEmitter's inside `try`: a
 * throw from a listener of one of ws's events is caught below ws's own frame (ws's parser goes on
 * as if the listener had returned) and answered as a wrapped handler's throw would be. As with
 * EventEmitter's own `emit`, the listeners after the one that threw do not run for that event.
 * An event ws does not emit (the application's own) throws to its caller as before.
 */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';

/** The events ws emits on a socket. */
const WS_EVENTS: ReadonlySet<string | symbol> = new Set(['message', 'ping', 'pong', 'close', 'error', 'open']);

/** EventEmitter's own `emit`, which ws's WebSocket does not override. */
const emit = EventEmitter.prototype.emit;

/** Installs a socket's guarded `emit`; false when `socket` has it already. */
export type GuardListeners = (socket: WebSocket) => boolean;

/**
 * The guard of an adapter: `onThrow` answers what a listener of `event` threw on `socket` (it must
 * not throw). One `emit` function for every socket whose `emit` is EventEmitter's; a socket whose
 * `emit` someone replaced before gets a wrapper of that one.
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
  return (socket) => {
    const own = socket.emit;
    if (own === guardedEmit || (own as { guarded?: unknown }).guarded === guardedEmit) return false;
    socket.emit = own === emit ? guardedEmit : Object.assign(guarding(own), { guarded: guardedEmit });
    return true;
  };
}
