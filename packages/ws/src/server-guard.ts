/**
 * The 'connection' listeners of a WebSocketServer. ws emits 'connection' from the HTTP server's
 * 'upgrade' listener (a server created with `{ server }` or `{ port }`: through an `emit` it bound
 * when it was constructed, which no later `emit` of the server's own can replace) or from
 * `handleUpgrade`'s callback: a listener that throws there ends the process, and so does an
 * `async` one that rejects. A guarded server's 'connection' listeners, those it has and those
 * added later, are wrapped (see `registration.ts`): each adopts the socket first (so the listeners
 * the application adds to it are guarded, whichever 'connection' listener adds them), and its
 * throw or rejection is answered on the socket (a close `1011 INTERNAL <request_id>`), recorded,
 * once. A listener that threw does not keep the later ones from running.
 */
import type { IncomingMessage } from 'node:http';
import { isThenable } from '@faultline/core/adapter';
import type { WebSocket, WebSocketServer } from 'ws';
import { isTrusted } from './listener-guard.js';
import { type Listener, registrationGuard, wrapExisting } from './registration.js';
import { settleOnce } from './settle.js';

const CONNECTION: ReadonlySet<string | symbol> = new Set(['connection']);

/** Guards a server's 'connection' listeners (once); returns the server. */
export type GuardServer = (wss: WebSocketServer) => WebSocketServer;

/**
 * The server guard of an adapter: `adopt` makes a socket the adapter's (it must be idempotent),
 * `fail` answers and records what a 'connection' listener threw or rejected with (it must not
 * throw).
 */
export function serverGuard(
  adopt: (socket: WebSocket, request: IncomingMessage) => unknown,
  fail: (socket: WebSocket, thrown: unknown) => unknown,
): GuardServer {
  const guarded = new WeakSet<WebSocketServer>();
  // `fl.connection`'s listener adopts the socket and answers its handler's failures itself.
  const answering = (listener: Listener): Listener | undefined =>
    isTrusted(listener)
      ? undefined
      : function connectionGuarded(this: unknown, ...args: unknown[]) {
          const socket = args[0] as WebSocket;
          try {
            adopt(socket, args[1] as IncomingMessage);
            const result = listener.apply(this as never, args);
            if (isThenable(result)) settleOnce(result, undefined, (reason) => fail(socket, reason));
            return result;
          } catch (error) {
            fail(socket, error);
            return undefined;
          }
        };
  const guardRegistration = registrationGuard(CONNECTION, answering);
  return (wss) => {
    if (guarded.has(wss)) return wss;
    guarded.add(wss);
    wrapExisting(wss, 'connection', answering);
    guardRegistration(wss);
    return wss;
  };
}
