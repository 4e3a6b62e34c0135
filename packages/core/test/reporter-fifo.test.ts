/**
 * A path destination that is a FIFO: nobody reading it must not block start-up (a plain open
 * waits for a reader), and a reader that opened it but never reads must not keep SIGTERM from
 * ending the process (a blocking write waits for the reader). Real processes and a real FIFO.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ChildRun, makeFifo, runNode } from './support/child.js';

const child = fileURLToPath(new URL('./fixtures/sink-child.mjs', import.meta.url));

/**
 * Runs the failing-sink child on `fifo` in `mode` (`sigterm` or `stats`, the latter after
 * `settleMs`); killed after `killMs`.
 */
function runOn(fifo: string, count: number, killMs: number, mode = 'sigterm', settleMs = 300): Promise<ChildRun> {
  return runNode([child, fifo, String(count), mode], { SETTLE_MS: String(settleMs) }, killMs);
}

describe.skipIf(process.platform === 'win32')('reporter: a FIFO as the destination', () => {
  it('nobody reading: start-up does not block; the open error is said and SIGTERM ends the process', async () => {
    const run = await runOn(makeFifo('fifo'), 100, 8000);
    expect(run.signal).toBe('SIGTERM');
    expect(run.sinceMark).toBeDefined();
    expect(run.sinceMark).toBeLessThan(3000);
    expect(run.stderr).toContain('cannot open the log destination (ENXIO)');
  }, 15_000);

  it('a reader that never reads: SIGTERM still ends the process within the bound', async () => {
    const fifo = makeFifo('fifo');
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK); // opened, never read
    try {
      // 20,000 records are far more than the pipe's buffer holds: writes would block.
      const run = await runOn(fifo, 20_000, 10_000);
      expect(run.signal).toBe('SIGTERM');
      expect(run.sinceMark).toBeDefined();
      // 1 s flush bound plus formatting on a loaded 2-core machine; a blocked write never exits.
      expect(run.sinceMark).toBeLessThan(4000);
    } finally {
      closeSync(reader);
    }
  }, 15_000);

  // The two runs below bound no time of theirs (the ones above do): they run at once, each with a
  // FIFO of its own.
  it.concurrent('a reader that never reads, records on the worker: the exit flush ends in time and counts every record', async () => {
    const fifo = makeFifo('fifo');
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK); // opened, never read
    try {
      // Queue more than half full: the worker starts and holds most records when the flush runs.
      const run = await runOn(fifo, 20_000, 10_000, 'stats');
      const line = run.stderr.split('\n').find((l) => l.startsWith('{'));
      expect(line).toBeDefined();
      const stats = JSON.parse(line as string) as { written: number; inFlight: number; lost: Record<string, number> };
      // Before: a blocking write never returned (no exit); then the worker's answer came after
      // the exit flush stopped waiting, leaving ~19,900 records neither written nor lost.
      expect(stats.inFlight).toBe(0);
      expect(stats.written + Object.values(stats.lost).reduce((a, b) => a + b, 0)).toBe(20_000);
    } finally {
      closeSync(reader);
    }
  }, 15_000);

  it.concurrent("a reader that never reads, a full queue's worth on the worker: the worker holds them (no heap death), all counted", async () => {
    const fifo = makeFifo('fifo');
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK); // opened, never read
    try {
      // queueSize 100,000: 60,000 records wait on the worker for 2.5 s. With a heap limit that
      // ignored the queue size, the worker ran out of heap and all of them were lost with it.
      const run = await runOn(fifo, 60_000, 20_000, 'stats', 2500);
      const line = run.stderr.split('\n').find((l) => l.startsWith('{'));
      expect(line).toBeDefined();
      const stats = JSON.parse(line as string) as { written: number; inFlight: number; lost: Record<string, number> };
      expect(stats.lost.worker).toBeUndefined();
      expect(stats.inFlight).toBe(0);
      expect(stats.written + Object.values(stats.lost).reduce((a, b) => a + b, 0)).toBe(60_000);
    } finally {
      closeSync(reader);
    }
  }, 30_000);
});
