/**
 * Whose cancellation it is. A premature close or an `AbortError` is classified `cancelled` (499):
 * the client gave up. That holds only when the client did go away; while it is still connected,
 * the server cancelled its own work (a reply stream destroyed, an upstream call it aborted), and
 * the client is owed a 500. The HTTP adapters check the request ({@link clientGone}), the gRPC
 * adapter the call's `cancelled` flag, the ws adapter the socket's state; each captures through
 * `captureForClient` (capture-for-client.ts), which tells such a fault with
 * {@link cancelledByServer} and captures the value again with {@link serverCancelled}.
 */
import type { Fault } from '../fault.js';
import type { Classifier } from './types.js';

/** The parts of a Node HTTP request (`IncomingMessage`, or HTTP/2's compatibility request) read here. */
export interface RequestConnection {
  readonly aborted?: boolean;
  readonly socket?: { readonly destroyed?: boolean } | null;
  readonly stream?: { readonly destroyed?: boolean };
}

/**
 * True when the client went away: its request was aborted, or its connection (HTTP/1.1) or
 * stream (HTTP/2) is destroyed. Only then is a cancellation the client's.
 */
export function clientGone(request: RequestConnection): boolean {
  return request.aborted === true || request.socket?.destroyed === true || request.stream?.destroyed === true;
}

/**
 * True when `fault` is a cancellation the client did not make: classified `cancelled` (a premature
 * close, an `AbortError`, a downstream's CANCELLED) while the client is still there
 * (`clientGone` false). A `FaultError` the application raised as `cancelled` is its own word and
 * never counts. Such a fault is captured again with {@link serverCancelled}.
 */
export function cancelledByServer(fault: Fault, clientGone: boolean): boolean {
  return !clientGone && fault.category === 'cancelled' && fault.internal.classifier !== 'fault';
}

/**
 * A classifier answering `internal` for any value: a cancellation the client did not make, first
 * classified for `reason` (kept in the record as `<reason>:client-connected`).
 */
export function serverCancelled(reason: string): Classifier {
  return {
    name: 'client-connected',
    classify: () => ({ category: 'internal', reason: `${reason}:client-connected` }),
  };
}
