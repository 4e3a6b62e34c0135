/**
 * A reporter worker that dies after the hand-over (#27) is replaced: records reported afterwards
 * reach the file, what the dead one confirmed stays counted and what it held is counted lost.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../src/report/reporter.js';
import { idsIn, storm } from './support/reporter-files.js';

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('a worker that dies after the hand-over (#27)', () => {
  it('is replaced: later records reach the file, and the counts add up', async () => {
    const workers: Worker[] = [];
    const onWorker = (worker: Worker) => workers.push(worker);
    process.on('worker', onWorker);
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'faultline-death-')), 'd.log');
      const reporter = createReporter({ destination: file, dedupWindowMs: 0, flushOnExit: false, workerThreshold: 0 });
      const before = storm(reporter, 500, 'before');
      await until(() => reporter.stats.offThread && reporter.stats.written === 500, 10_000);
      expect(reporter.stats.written).toBe(500);
      expect(workers).toHaveLength(1);
      // Items handed over right before it dies are lost with it, and counted so.
      storm(reporter, 300, 'dying');
      reporter.drain(Number.POSITIVE_INFINITY, 1_000_000_000n);
      await workers[0]?.terminate();
      await until(() => workers.length === 2, 5_000);
      expect(workers).toHaveLength(2);
      const after = storm(reporter, 500, 'after');
      await reporter.close();
      const stats = reporter.stats;
      const lost = Object.values(stats.lost).reduce((a, b) => a + b, 0);
      expect(stats.reported).toBe(1300);
      expect(stats.written + stats.droppedQueueFull + stats.droppedBacklog + lost).toBe(1300);
      expect(stats.written).toBeGreaterThanOrEqual(1000);
      const found = idsIn(file);
      expect(before.filter((id) => !found.has(id))).toEqual([]);
      expect(after.filter((id) => !found.has(id))).toEqual([]);
      expect(found.size).toBeGreaterThanOrEqual(stats.written);
    } finally {
      process.off('worker', onWorker);
    }
  }, 30_000);
});
