/**
 * A client that does not read its socket must not make the server buffer error frames without
 * bound. Each message that is not JSON costs the client a 7-byte frame and the server a ~150-byte
 * error frame; ws queues whatever it cannot write, so a peer that sends and never reads grows the
 * server's memory by about twenty times what it sends. A recoverable fault closes the connection
 * (its own close code, `<CODE> <request_id>`) instead of queueing another frame once the socket
 * holds {@link MAX_QUEUED_BYTES} unread, or once {@link MAX_QUEUED_FRAMES} error frames went into
 * a queue that never emptied meanwhile: small frames cost the heap more than their bytes (about
 * 240 bytes each, so 3.5 MB of heap at the byte bound alone). The close is queued once, and ws
 * destroys the socket when the closing handshake does not complete within its close timeout.
 */
import type { WebSocket } from 'ws';

/** Bytes queued on a socket (ws's `bufferedAmount`) past which an error frame is not queued. */
export const MAX_QUEUED_BYTES = 1_048_576;

/** Error frames queued while the socket's queue never emptied, past which none more is queued. */
export const MAX_QUEUED_FRAMES = 1024;

/** Error frames queued since the socket's queue was last seen empty (absent: none). */
const queuedFrames = new WeakMap<WebSocket, number>();

/**
 * True when `socket` already holds {@link MAX_QUEUED_BYTES} or more the peer has not read, or
 * {@link MAX_QUEUED_FRAMES} error frames since its queue was last empty. Called once for each
 * error frame about to be sent: a false answer counts that frame.
 */
export function backedUp(socket: WebSocket): boolean {
  const queued = socket.bufferedAmount;
  if (queued === 0) {
    queuedFrames.delete(socket);
    return false;
  }
  if (queued >= MAX_QUEUED_BYTES) return true;
  const frames = (queuedFrames.get(socket) ?? 0) + 1;
  if (frames > MAX_QUEUED_FRAMES) return true;
  queuedFrames.set(socket, frames);
  return false;
}
