/**
 * The worker under pressure (#27): a destination slower for a moment makes records wait (in the
 * worker, then in the response thread's bounded queue) instead of being lost to the sink's
 * backlog bound.
 */
import { describe, expect, it } from 'vitest';
import { createReporter } from '../src/report/reporter.js';
import { exited, pausingReader } from './support/child.js';
import { idsIn, storm } from './support/reporter-files.js';

describe('a destination slower for a moment (#27)', () => {
  it('loses nothing to the backlog bound: records wait for the reader, then all arrive', async () => {
    // The reader reads nothing for 800 ms (the pipe fills), then copies it all.
    const { fifo, out, reader } = await pausingReader(0.8, 'pressure');
    const reporter = createReporter({
      destination: fifo,
      dedupWindowMs: 0,
      flushOnExit: false,
      workerThreshold: 0,
      queueSize: 4096,
      maxSinkBacklogBytes: 64 * 1024,
      shutdownTimeoutMs: 5000,
    });
    const ids = storm(reporter, 3000, 'slow');
    let turns = 0;
    while (reporter.stats.queued > 0 && turns < 2000) {
      reporter.drain(Number.POSITIVE_INFINITY, 5_000_000n);
      turns += 1;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await reporter.close();
    await exited(reader, 10_000);
    const stats = reporter.stats;
    expect(stats.offThread).toBe(true);
    expect(stats.lost).toEqual({});
    expect(stats).toMatchObject({ reported: 3000, written: 3000, droppedQueueFull: 0, droppedBacklog: 0 });
    const found = idsIn(out);
    expect(ids.filter((id) => !found.has(id))).toEqual([]);
  }, 30_000);
});
