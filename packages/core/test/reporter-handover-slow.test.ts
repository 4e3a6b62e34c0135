/**
 * The hand-over to the worker while the destination is slow: the records this thread's sink
 * still holds when the worker is ready must be written, not counted lost as `shutdown` in the
 * middle of the process's life (a reader pausing for longer than `shutdownTimeoutMs` lost them
 * while the worker went on writing the later ones). A real FIFO whose reader sleeps, in process.
 */
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../src/report/reporter.js';
import { exited, pausingReader } from './support/child.js';
import { idsIn, storm } from './support/reporter-files.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hand-over to the worker behind a destination that pauses', () => {
  it('writes what this thread held once the reader is back; nothing is lost', async () => {
    const { fifo, out, reader } = await pausingReader(2.5, 'handover');
    // Default threshold: this thread writes the first records itself, then the worker starts.
    const reporter = createReporter({ destination: fifo, dedupWindowMs: 0, flushOnExit: false, queueSize: 10_000 });
    const ids = storm(reporter, 5000, 'pause');
    const end = Date.now() + 15_000;
    while (Date.now() < end && (reporter.stats.written < 5000 || reporter.stats.queued + reporter.stats.inFlight > 0)) {
      if (Object.keys(reporter.stats.lost).length > 0) break;
      await wait(20);
    }
    const stats = reporter.stats;
    await reporter.close();
    await exited(reader, 10_000);
    expect(stats.offThread).toBe(true);
    expect(stats.lost).toEqual({});
    expect(stats.written).toBe(5000);
    const inFile = idsIn(out);
    expect(ids.filter((id) => !inFile.has(id))).toEqual([]);
  }, 30_000);

  it('a worker that dies before it took the destination: this thread writes on with its own sink', async () => {
    const { fifo, out, reader } = await pausingReader(2.5, 'handover');
    const workers: Worker[] = [];
    const onWorker = (worker: Worker) => workers.push(worker);
    process.on('worker', onWorker);
    try {
      const reporter = createReporter({ destination: fifo, dedupWindowMs: 0, flushOnExit: false, queueSize: 10_000 });
      storm(reporter, 5000, 'before');
      const started = Date.now();
      while (workers.length === 0 && Date.now() - started < 5000) await wait(10);
      await wait(500); // booted and holding what it was handed; the reader still sleeps
      await workers[0]?.terminate();
      const settled = () => {
        const s = reporter.stats;
        return s.queued + s.inFlight === 0 && s.written + Object.values(s.lost).reduce((a, b) => a + b, 0) >= 5000;
      };
      while (!settled() && Date.now() - started < 15_000) await wait(20);
      const after = storm(reporter, 10, 'after');
      await reporter.flush();
      const stats = reporter.stats;
      await reporter.close();
      await exited(reader, 10_000);
      // What the dead worker held is lost with it; nothing else, and this thread's sink stays open.
      expect(Object.keys(stats.lost)).toEqual(['worker']);
      expect(stats.written + (stats.lost.worker ?? 0)).toBe(5010);
      const inFile = idsIn(out);
      expect(after.filter((id) => !inFile.has(id))).toEqual([]);
    } finally {
      process.off('worker', onWorker);
    }
  }, 30_000);
});
