/**
 * The child side of a bench server process: it reports its port to the parent, keeps count of its
 * own garbage collection, and answers the parent's messages: `gc` (its GC figures so far),
 * `promote` (two full collections, see {@link promoteLongLived}), `alloc-start` / `alloc-stop`
 * (the heap bytes allocated in between, see `alloc-counter.ts`), `sample-start` / `sample-stop`
 * (allocation sites, see `alloc-profile.ts`) and anything else (exit).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { AllocationCounter } from './alloc-counter.js';
import { startSampling, stopSampling } from './alloc-profile.js';

/** A server's garbage collection so far. */
export interface GcFigures {
  /** Milliseconds spent in GC. */
  readonly gcMs: number;
  /** Mark-compacts (full collections). */
  readonly majors: number;
}

/** PerformanceEntry `detail.kind` of a mark-compact (`NODE_PERFORMANCE_GC_MAJOR`). */
const GC_MAJOR = 4;

/**
 * Two full collections (the child runs with `--expose-gc`): whatever is alive now, the current
 * connection's HTTP/2 session included, moves to the old generation, as it does in any server
 * once a mark-compact has run during a connection's life. See the README's performance section:
 * from then on, Node's per-session stream map keeps every call alive until the next mark-compact.
 */
function promoteLongLived(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/**
 * Serves the parent of this process once the server listens on `port`. Run by hand (no IPC, e.g.
 * to profile), it prints the port and exits cleanly on SIGTERM so `--cpu-prof` is written.
 */
export function answerParent(port: number): void {
  // Time in GC, asked for around each run: a run whose server spends far more of it than its
  // pair's is in another GC state (see the README's performance section).
  let gcMs = 0;
  let majors = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      if ((entry as { detail?: { kind?: number } }).detail?.kind === GC_MAJOR) majors += 1;
    }
  }).observe({ entryTypes: ['gc'] });
  if (process.send === undefined) {
    console.log(port);
    process.on('SIGTERM', () => process.exit(0));
    return;
  }
  process.send({ port });
  const allocations = new AllocationCounter();
  process.on('message', (message) => {
    if (message === 'gc') process.send?.({ gcMs, majors } satisfies GcFigures);
    else if (message === 'alloc-start') {
      allocations.start();
      process.send?.({ allocStarted: true });
    } else if (message === 'alloc-stop') process.send?.({ allocBytes: allocations.stop() });
    else if (message === 'sample-start') void startSampling().then(() => process.send?.({ sampling: true }));
    else if (message === 'sample-stop') void stopSampling().then((sample) => process.send?.({ sample }));
    else if (message === 'promote') promoteLongLived();
    else process.exit(0);
  });
  // The parent was killed (a timeout, Ctrl-C): do not stay behind holding a port and a core.
  process.on('disconnect', () => process.exit(0));
}
