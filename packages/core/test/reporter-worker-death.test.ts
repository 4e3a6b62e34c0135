/**
 * A reporter worker that dies after the hand-over (#27) is replaced: records reported afterwards
 * reach the file, what the dead one confirmed stays counted and what it held is counted lost.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { capture } from '../src/capture.js';
import { createReporter } from '../src/report/reporter.js';
import { idsIn, storm } from './support/reporter-files.js';

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Terminates the first worker once `ready` holds, waits for its replacement; the workers seen. */
async function killFirstWorker(ready: () => boolean): Promise<Worker[]> {
  const workers: Worker[] = [];
  const onWorker = (worker: Worker) => workers.push(worker);
  process.on('worker', onWorker);
  try {
    await until(() => workers.length === 1 && ready(), 10_000);
    await workers[0]?.terminate();
    await until(() => workers.length === 2, 5_000);
    return workers;
  } finally {
    process.off('worker', onWorker);
  }
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

  it('counts the repeats it was batching for a compact line as lost with it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-death-')), 'r.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, workerThreshold: 0 });
    const started = () => reporter.stats.offThread && reporter.stats.written === 1;
    const killed = killFirstWorker(() => {
      const { offThread, reported, written, inFlight } = reporter.stats;
      // Every item taken by the worker: 299 repeats wait, unsettled, for their compact line.
      return offThread && reported === 301 && written === 2 && inFlight === 299;
    });
    reporter.report(capture(new Error('warm-up')));
    await until(started, 10_000);
    // One shape 300 times: the first is written in full, 299 repeats wait up to a second for
    // their compact line. The worker dies while they wait.
    for (let i = 0; i < 300; i += 1) reporter.report(capture(new Error(`order ${i} could not be paid`)));
    reporter.drain(Number.POSITIVE_INFINITY, 1_000_000_000n);
    const workers = await killed;
    expect(workers).toHaveLength(2);
    await reporter.close();
    const stats = reporter.stats;
    const lost = Object.values(stats.lost).reduce((a, b) => a + b, 0);
    expect(stats).toMatchObject({ reported: 301, written: 2, compacted: 0 });
    expect(stats.written + stats.compacted + stats.droppedQueueFull + stats.droppedBacklog + lost).toBe(301);
    expect(stats.lost.worker).toBe(299);
  }, 30_000);

  it('keeps the counts current once the held repeats are written (the worker reports until they settle)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-settle-')), 's.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, workerThreshold: 0 });
    for (let i = 0; i < 300; i += 1) reporter.report(capture(new Error(`order ${i} could not be paid`)));
    // The compact line is written about a second after the first repeat; no record comes after it.
    await until(() => reporter.stats.compacted === 299, 5_000);
    expect(reporter.stats).toMatchObject({ reported: 300, written: 1, compacted: 299, lost: {}, inFlight: 0 });
    await reporter.close();
  }, 30_000);
});
