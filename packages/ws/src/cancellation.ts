/**
 * Whose cancellation it is, on a WebSocket: an `AbortError` (or any value classified `cancelled`)
 * is the client's only once it left (the socket closing or closed, the upgrade request's
 * connection gone). While it is still there, the server cancelled its own work (an upstream call
 * it aborted), and that is `internal`: an error frame or close claiming the client cancelled
 * would be false. The adapter captures through core's `captureForClient` with {@link socketGone}.
 */
import type { WebSocket } from 'ws';

/** True when the peer of `socket` is gone or leaving: the socket is no longer open. */
export function socketGone(socket: WebSocket): boolean {
  return socket.readyState !== socket.OPEN;
}
