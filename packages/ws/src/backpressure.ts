/**
 * A client that does not read its socket must not make the server buffer error frames without
 * bound. Each message that is not JSON costs the client a 7-byte frame and the server a ~150-byte
 * error frame; ws queues whatever it cannot write, so a peer that sends and never reads grows the
 * server's memory by about twenty times what it sends. Past {@link MAX_QUEUED_BYTES} queued on the
 * socket, a recoverable fault closes the connection (its own close code, `<CODE> <request_id>`)
 * instead of queueing another frame: the close is queued once, and ws destroys the socket when
 * the closing handshake does not complete within its close timeout.
 */
import type { WebSocket } from 'ws';

/** Bytes queued on a socket (ws's `bufferedAmount`) past which an error frame is not queued. */
export const MAX_QUEUED_BYTES = 1_048_576;

/** True when `socket` already holds {@link MAX_QUEUED_BYTES} or more the peer has not read. */
export function backedUp(socket: WebSocket): boolean {
  return socket.bufferedAmount >= MAX_QUEUED_BYTES;
}
