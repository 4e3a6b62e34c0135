/**
 * The waits before this thread's sink lets go of the destination to the worker: until it wrote
 * what it holds (bounded), then until a write under way settled (a write to a pipe may stop
 * inside a line; what is left of it then goes to the worker with the other unsent lines, first).
 */
import { stillWriting } from './line-handover.js';
import type { Sink } from './sink.js';

/**
 * `maxMs`: most time this thread's sink gets, once the worker is ready, to write what it holds
 * before the worker takes the destination (30 s); what is left then goes to the worker (see
 * `Offload.release`). Mutable for core's own tests only (neither public entry exports it), so a
 * test of what happens past the bound does not wait 30 s.
 */
export const handoverBound = { maxMs: 30_000 };

/** How often the hand-over looks again when the sink answers `drained` at once yet still holds lines. */
const HANDOVER_POLL_MS = 10;

/**
 * Most time a write under way gets to settle before the sink lets go: a descriptor that never
 * blocks answers within a millisecond; a slow disk's write lands after the hand-over (counted by
 * this thread's sink all the same).
 */
export const WRITE_SETTLE_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `sink` wrote (or lost) every line it holds, or cannot write now (its destination
 * failed to open; a syslog receiver down or still connecting: its unsent lines then go to the
 * worker with the destination), or was `released` meanwhile (a signal's shutdown let go first),
 * or after {@link handoverBound}'s `maxMs`; checked every `stepMs`; then waits for a write under way
 * ({@link writeSettled}). Bounded by `shutdownTimeoutMs` alone, a reader pausing longer (a full
 * stdout pipe) lost this thread's lines as `shutdown` in the middle of the process's life, while
 * the worker wrote the later ones. It never spins: `drained` answers at once when nothing is being
 * written, and a loop of answers at once held the event loop for the whole 30 s, so a SIGTERM's
 * bounded shutdown never ran its timers (the process did not end).
 */
export async function handedOver(sink: Sink, stepMs: number, released: () => boolean): Promise<void> {
  const until = Date.now() + handoverBound.maxMs;
  const holding = () =>
    !released() && (sink.counts.pending ?? 0) > 0 && sink.openError === undefined && Date.now() < until;
  do {
    await sink.drained(Math.max(1, stepMs));
    if (holding()) await sleep(HANDOVER_POLL_MS);
  } while (holding());
  await writeSettled(sink, WRITE_SETTLE_MS, released);
}

/**
 * Resolves once `sink` has no write under way (polling every millisecond: a pipe that is full
 * retries 10 ms later, so the gap is seen), or was `released`, or after `maxMs`.
 */
export async function writeSettled(sink: Sink, maxMs: number, released: () => boolean): Promise<void> {
  const until = Date.now() + maxMs;
  while (!released() && stillWriting(sink) && Date.now() < until) await sleep(1);
}
