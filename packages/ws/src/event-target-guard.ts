/**
 * Handlers added the browser's way (`socket.addEventListener('message', h)`, `socket.onmessage =
 * h`). ws adds each through `on`, inside a wrapper of its own that drops what the handler
 * returns: an `async` handler's rejection reaches `unhandledRejection` whatever wraps ws's
 * wrapper. So an adopted socket's `addEventListener` hands ws a guarded handler instead (one per
 * handler, kept while the handler lives, so ws still finds a handler added twice, and its
 * `removeEventListener` is given the same one). The `onmessage`, `onclose`, … getters return the
 * guarded handler, not the one set.
 */
import type { WebSocket } from 'ws';
import type { Listener } from './registration.js';

/** What ws's `addEventListener` takes: a function, or an object with `handleEvent`. */
type Handler = ((this: WebSocket, event: unknown) => unknown) | { handleEvent?: (event: unknown) => unknown };

type EventTargetMethod = (this: WebSocket, type: string, handler: unknown, options?: unknown) => void;

/** A socket's `addEventListener` and `removeEventListener`, from its class. */
function inherited(socket: WebSocket, key: 'addEventListener' | 'removeEventListener'): EventTargetMethod {
  return (Object.getPrototypeOf(socket) as Record<typeof key, EventTargetMethod>)[key];
}

/**
 * The event-target guard of an adapter: `guard` wraps a listener (`this` the socket) so that a
 * rejection of what it returns is answered. Installs a socket's own `addEventListener` and
 * `removeEventListener` (one pair for every socket).
 */
export function eventTargetGuard(guard: (listener: Listener, event: string) => Listener): (socket: WebSocket) => void {
  const guarded = new WeakMap<object, Listener>();
  /** The guarded handler of `handler`: called as ws's `callListener` would call it. */
  function guardedOf(handler: Handler, type: string): Listener {
    let listener = guarded.get(handler);
    if (listener === undefined) {
      const call = function (this: unknown, event: unknown) {
        if (typeof handler === 'object' && handler.handleEvent) return handler.handleEvent.call(handler, event);
        return (handler as (this: unknown, event: unknown) => unknown).call(this, event);
      };
      listener = guard(call as Listener, type);
      guarded.set(handler, listener);
    }
    return listener;
  }
  function addEventListener(this: WebSocket, type: string, handler: unknown, options?: unknown): void {
    const usable = typeof handler === 'function' || (typeof handler === 'object' && handler !== null);
    inherited(this, 'addEventListener').call(
      this,
      type,
      usable ? guardedOf(handler as Handler, type) : handler,
      options,
    );
  }
  function removeEventListener(this: WebSocket, type: string, handler: unknown): void {
    const known =
      typeof handler === 'object' || typeof handler === 'function' ? guarded.get(handler as object) : undefined;
    inherited(this, 'removeEventListener').call(this, type, known ?? handler);
  }
  return (socket) => {
    if (typeof inherited(socket, 'addEventListener') !== 'function') return;
    socket.addEventListener = addEventListener as WebSocket['addEventListener'];
    socket.removeEventListener = removeEventListener as WebSocket['removeEventListener'];
  };
}
