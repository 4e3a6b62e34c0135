/**
 * A server's shutdown with a bound: no new calls, calls in flight may finish, and those of the
 * server's Faultline services still running at the deadline are answered as faults (UNAVAILABLE,
 * `x-request-id`, `grpc-status-details-bin`, recorded) before the connections are closed, instead
 * of being cut with grpc-js's own status, which carries no id and is recorded nowhere.
 */
import { safeGet } from '@faultline/core/adapter';
import type { Server } from '@grpc/grpc-js';
import { trackedCalls } from './in-flight.js';

/** Options of {@link shutdownGracefully}. */
export interface ShutdownOptions {
  /**
   * How long calls in flight may still run once the server stopped taking new ones, in
   * milliseconds (default 10,000).
   */
  readonly timeoutMs?: number;
  /**
   * How long the statuses of the calls answered at the deadline get to be written before the
   * remaining connections are closed, in milliseconds (default 1,000). The server is usually down
   * sooner: a connection closes as soon as its last call ended.
   */
  readonly graceMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_GRACE_MS = 1_000;
/** The longest delay a Node timer keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const shutdowns = new WeakMap<object, Promise<void>>();

/** `options[key]` when it is a finite number >= 0 (at most a timer's maximum), else `fallback`. */
function msOption(options: unknown, key: keyof ShutdownOptions, fallback: number): number {
  const value = typeof options === 'object' && options !== null ? safeGet(options, key) : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.min(value, MAX_TIMER_MS) : fallback;
}

/** Runs `step` on `server`, ignoring a throw (a server already shut down, or not a grpc-js server). */
function attempt(step: () => void): void {
  try {
    step();
  } catch {
    // Nothing left to close.
  }
}

/** The steps of {@link shutdownGracefully}; `resolve` is called once, when the server is down. */
function run(server: Server, timeoutMs: number, graceMs: number, resolve: () => void): void {
  let finished = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    clearTimeout(grace);
    // Closes whatever is still open (a call of a service added without Faultline, a stream whose
    // status could not be written); once everything closed on its own, it has nothing to do.
    attempt(() => server.forceShutdown());
    resolve();
  };
  const deadline = setTimeout(() => {
    attempt(() => trackedCalls(server)?.cutAll());
    grace = setTimeout(() => {
      // Still listed: a stream whose status was queued behind messages its client did not take.
      attempt(() => trackedCalls(server)?.cutAll(true));
      finish();
    }, graceMs);
  }, timeoutMs);
  // Called once every connection closed: every call ended, in time or answered at the deadline.
  // Should it throw, the deadline still answers the calls and closes the server.
  attempt(() => server.tryShutdown(finish));
}

/**
 * Shuts `server` down within a bound, for a `SIGTERM` handler. The server stops taking calls at
 * once (`server.tryShutdown`) and calls in flight may finish as usual. At `timeoutMs`, every call
 * of the server's services added with `addFaultlineService` that is still unanswered (unary,
 * client streaming, server streaming, bidi) is answered with a fault of category `unavailable`
 * (`UNAVAILABLE`, code `UNAVAILABLE`, `x-request-id`, `grpc-status-details-bin`), recorded by its
 * service's reporter with the source `grpc.shutdown`; a later answer of its handler is ignored.
 * Then, once those statuses were written (at most `graceMs`), `server.forceShutdown()` closes what
 * is left. Calls of services added with `server.addService` (`wrapService` alone included: it
 * knows no server), and calls whose request has not fully arrived, are cut there with grpc-js's own
 * status, as without this function. A call of a Faultline service whose status could still not be
 * written then (its client stopped reading: a stream's status waits behind the messages it did
 * not take, also once its handler ended it) is cut there too, without an id the client could see;
 * its cut is recorded with the source `grpc.shutdown`.
 *
 * Resolves once the server is down: as soon as every call ended, at most about
 * `timeoutMs + graceMs` later. Never rejects, never throws; a second call for the same server
 * returns the first one's promise. Other servers' calls are not touched.
 *
 * @example
 * process.once('SIGTERM', () => {
 *   void shutdownGracefully(server, { timeoutMs: 10_000 }).then(() => process.exit(0));
 * });
 */
export function shutdownGracefully(server: Server, options: ShutdownOptions = {}): Promise<void> {
  if (typeof server !== 'object' || server === null) return Promise.resolve();
  const running = shutdowns.get(server);
  if (running !== undefined) return running;
  const timeoutMs = msOption(options, 'timeoutMs', DEFAULT_TIMEOUT_MS);
  const graceMs = msOption(options, 'graceMs', DEFAULT_GRACE_MS);
  const done = new Promise<void>((resolve) => run(server, timeoutMs, graceMs, resolve));
  shutdowns.set(server, done);
  return done;
}
