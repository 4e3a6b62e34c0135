/**
 * `createWebSocketStream(socket)` (ws's Duplex over a socket) under the adapter. Left to ws, a
 * duplex destroyed with an error (a transform in `pipeline` failing, a write that throws) calls
 * `socket.terminate()`: the client sees 1006, with no reason and no id, and nothing is recorded;
 * and a protocol error from the peer is re-thrown as the duplex's 'error' when the duplex has no
 * listener, which crashes the process. Guarded, the application's failure closes the socket with
 * the fault's close code and `<CODE> <request_id>` (recorded under the connection's id), the duplex
 * is destroyed once the closing handshake is over, and the duplex always has an 'error' listener
 * (ws's own errors are recorded by `fl.connection`'s socket listener).
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { guardStages, isStandIn } from './stream-stages.js';

/** The duplex's destroy hook (what `createWebSocketStream` sets as `_destroy`). */
type DestroyHook = (this: Duplex, error: Error | null, callback: (error?: Error | null) => void) => void;

/** True for the AbortError Node's stream iterator destroys a stream with when its loop ends early. */
function isNodeAbort(error: Error): boolean {
  return error.name === 'AbortError' && (error as { code?: unknown }).code === 'ABORT_ERR';
}

/** The duplex's 'error' listener: every error it reports was recorded where it arose. */
function recordedElsewhere(): void {
  // ws's errors by the socket's 'error' listener, the application's by `closeOnFault`.
}

/**
 * Guards `duplex` (from `createWebSocketStream(socket)`): an error it is destroyed with while
 * `socket` is open goes to `closeOnFault` (which records it, closes the socket with the fault's
 * code and reason, and returns the fault's id), and ws's own destroy runs once the socket has
 * closed. The stages it pipes to are guarded too (see `stream-stages.ts`). Returns `duplex`.
 */
export function guardStream(
  socket: WebSocket,
  duplex: Duplex,
  closeOnFault: (socket: WebSocket, thrown: unknown) => string,
): Duplex {
  const internals = duplex as unknown as { _destroy: DestroyHook };
  const destroy = internals._destroy;
  /** Answers `error` (while the socket is open), then ws's destroy once the socket has closed. */
  function answerThenDestroy(stream: Duplex, error: Error, callback: (error?: Error | null) => void): void {
    if (socket.readyState === socket.OPEN) closeOnFault(socket, error);
    // ws's destroy waits for the socket's close itself once it is closed: no terminate() then.
    if (socket.readyState === socket.CLOSED) destroy.call(stream, error, callback);
    else socket.once('close', () => destroy.call(stream, error, callback));
  }
  internals._destroy = function guardedDestroy(error, callback) {
    // A stage's value Node could not read, answered already: ws's destroy once the close is done
    // (it would otherwise terminate the socket under the close frame).
    if (isStandIn(error) && socket.readyState !== socket.CLOSED) {
      socket.once('close', () => destroy.call(this, error, callback));
      return;
    }
    // No error, or the socket already closing (ws's own error, the peer's close): ws's behaviour.
    if (error === null || error === undefined || socket.readyState !== socket.OPEN) {
      destroy.call(this, error, callback);
      return;
    }
    // Node's own abort, from a `for await` that ended (a `break`, a throw in its body): the
    // handler's rejection with the real failure, a few microtasks later, is answered first.
    if (isNodeAbort(error)) setImmediate(answerThenDestroy, this, error, callback);
    else answerThenDestroy(this, error, callback);
  };
  duplex.on('error', recordedElsewhere);
  guardStages(duplex, (thrown) => closeOnFault(socket, thrown));
  return duplex;
}
