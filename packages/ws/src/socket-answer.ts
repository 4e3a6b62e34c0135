/**
 * A fault answered on an open socket: an error frame when recoverable, a close frame
 * (`<CODE> <request_id>`) when fatal or when the peer does not read what it is sent.
 */
import type { Fault } from '@faultline/core/adapter';
import type { WebSocket } from 'ws';
import { backedUp } from './backpressure.js';
import { closeFrameFor } from './close-frame.js';
import { errorFrame } from './error-frame.js';

/**
 * Answers `fault` on `socket` (nothing once it is not open): a close when `isFatal(fault)` or the
 * socket is backed up, else an error frame. A send or close that throws terminates the socket.
 * Never throws; returns `fault`.
 */
export function answerOnSocket(socket: WebSocket, fault: Fault, isFatal: (fault: Fault) => boolean): Fault {
  try {
    if (socket.readyState !== socket.OPEN) return fault;
    // A peer that does not read gets the fault as a close, not one more queued frame.
    if (isFatal(fault) || backedUp(socket)) {
      const { code, reason } = closeFrameFor(fault);
      socket.close(code, reason);
    } else {
      socket.send(errorFrame(fault));
    }
  } catch {
    try {
      socket.terminate();
    } catch {
      // already gone
    }
  }
  return fault;
}
