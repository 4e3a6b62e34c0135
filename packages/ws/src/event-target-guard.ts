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

/** A socket's `addEventListener` and `removeEventListener`. */
export interface EventTargetMethods {
  readonly addEventListener: EventTargetMethod;
  readonly removeEventListener: EventTargetMethod;
}

/** The event-target methods of `base` (a socket's class's prototype), or none. */
function methodsOf(base: object): EventTargetMethods | undefined {
  const { addEventListener, removeEventListener } = base as Partial<EventTargetMethods>;
  if (typeof addEventListener !== 'function' || typeof removeEventListener !== 'function') return undefined;
  return { addEventListener, removeEventListener };
}

/**
 * The event-target guard of an adapter: `guard` wraps a listener (`this` the socket) so that a
 * rejection of what it returns is answered. `methodsFor(base)` are the guarded `addEventListener`
 * and `removeEventListener` over those of `base` (a socket's class's prototype; one pair per
 * prototype, for every socket), `undefined` when `base` has none.
 */
export function eventTargetGuard(guard: (listener: Listener, event: string) => Listener): {
  methodsFor(base: object): EventTargetMethods | undefined;
} {
  const guarded = new WeakMap<object, Listener>();
  const byBase = new WeakMap<object, EventTargetMethods>();
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
  function methodsFor(base: object): EventTargetMethods | undefined {
    const known = byBase.get(base);
    if (known !== undefined) return known;
    const inherited = methodsOf(base);
    if (inherited === undefined) return undefined;
    const methods: EventTargetMethods = {
      addEventListener(this: WebSocket, type: string, handler: unknown, options?: unknown): void {
        const usable = typeof handler === 'function' || (typeof handler === 'object' && handler !== null);
        inherited.addEventListener.call(this, type, usable ? guardedOf(handler as Handler, type) : handler, options);
      },
      removeEventListener(this: WebSocket, type: string, handler: unknown): void {
        const known =
          typeof handler === 'object' || typeof handler === 'function' ? guarded.get(handler as object) : undefined;
        inherited.removeEventListener.call(this, type, known ?? handler);
      },
    };
    byBase.set(base, methods);
    return methods;
  }
  return { methodsFor };
}
