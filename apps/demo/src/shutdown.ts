/** The demo's WebSocket side of a shutdown: a close frame for every client, then a cut-off. */
import type { WebSocketServer } from 'ws';

/**
 * Refuses new upgrades on `wss` and sends each of its clients a close frame (1001, "server
 * shutting down") in place of a dropped connection (1006). A socket whose client has not finished
 * the closing handshake after `graceMs` is cut off, so a shutdown never waits on a silent client.
 * Resolves once every socket of `wss` has closed.
 */
export async function closeWebSocketClients(wss: WebSocketServer, graceMs = 2_000): Promise<void> {
  wss.close();
  const open = [...wss.clients];
  const closed = open.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
  for (const socket of open) socket.close(1001, 'server shutting down');
  const cut = setTimeout(() => {
    for (const socket of open) socket.terminate();
  }, graceMs);
  await Promise.all(closed);
  clearTimeout(cut);
}
