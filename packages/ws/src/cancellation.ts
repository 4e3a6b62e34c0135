/**
 * Whose cancellation it is, on a WebSocket: an `AbortError` (or any value classified `cancelled`)
 * is the client's only once it left (the socket closing or closed, the upgrade request's
 * connection gone). While it is still there, the server cancelled its own work (an upstream call
 * it aborted), and that is `internal`: an error frame or close claiming the client cancelled
 * would be false.
 */
import { type CaptureContext, cancelledByServer, capture, type Fault, serverCancelled } from '@faultline/core/adapter';
import type { WebSocket } from 'ws';

/** True when the peer of `socket` is gone or leaving: the socket is no longer open. */
export function socketGone(socket: WebSocket): boolean {
  return socket.readyState !== socket.OPEN;
}

/**
 * `capture(thrown, ctx)`, except that a cancellation while the client is still there
 * (`clientGone` false) is captured again as `internal`, reason `<reason>:client-connected`.
 */
export function captureFor(thrown: unknown, ctx: CaptureContext, clientGone: boolean): Fault {
  const fault = capture(thrown, ctx);
  if (!cancelledByServer(fault, clientGone)) return fault;
  return capture(thrown, { ...ctx, classifiers: [serverCancelled(fault.internal.reason)] });
}
