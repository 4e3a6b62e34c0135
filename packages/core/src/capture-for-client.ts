/**
 * `capture` with the cancellation rule every adapter applies (classify/cancellation.ts): a value
 * classified `cancelled` is the client's only once the client went away.
 */
import { type CaptureContext, capture } from './capture.js';
import { cancelledByServer, serverCancelled } from './classify/cancellation.js';
import type { Fault } from './fault.js';

/**
 * `capture(thrown, ctx)`, except that a cancellation while the client is still there
 * (`clientGone` false) is captured again as `internal`, reason `<reason>:client-connected`. A
 * `FaultError` the application raised as `cancelled` keeps its category. `ctx` is copied only on
 * that rare path, so an adapter may pass a context it reuses.
 */
export function captureForClient(thrown: unknown, ctx: CaptureContext, clientGone: boolean): Fault {
  const fault = capture(thrown, ctx);
  if (!cancelledByServer(fault, clientGone)) return fault;
  return capture(thrown, { ...ctx, classifiers: [serverCancelled(fault.internal.reason)] });
}
