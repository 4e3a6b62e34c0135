/**
 * A ping flood: ws answers each ping with a pong and, once `maxPendingAutoPongs` of them are
 * still unwritten (a peer that pings and never reads), terminates the connection itself. The
 * client sees 1006, and nothing reports it: no 'error', no reason. The adapter's one 'ping'
 * listener for every socket (the socket as `this`, no closure per connection) notices the
 * termination as it happens and has it recorded under the connection's id.
 */
import { FaultError, safeGet } from '@faultline/core/adapter';
import type { WebSocket } from 'ws';

/**
 * True when ws has just terminated `socket` for the pongs it could not write: no longer open, its
 * pending automatic pongs at ws's bound. Reads nothing more while the socket is open.
 */
export function terminatedForPings(socket: WebSocket): boolean {
  if (socket.readyState === socket.OPEN) return false;
  const max = safeGet(socket, '_maxPendingAutoPongs');
  const pending = safeGet(socket, '_pendingAutoPongs');
  return typeof max === 'number' && max > 0 && typeof pending === 'number' && pending >= max;
}

/**
 * The 'ping' listener to add to every socket: the first ping seen once ws terminated the socket
 * for a flood calls `record(socket, fault)` (a `rate_limited` fault, its message for the log only)
 * and removes the listener, so a flood's remaining pings record nothing more.
 */
export function pingFloodListener(record: (socket: WebSocket, thrown: unknown) => void): (this: WebSocket) => void {
  return function onPing(this: WebSocket): void {
    if (!terminatedForPings(this)) return;
    this.off('ping', onPing);
    const message = 'ws terminated the connection: too many pings left unanswered (maxPendingAutoPongs)';
    record(this, FaultError.of('rate_limited', { message, stack: false }));
  };
}
