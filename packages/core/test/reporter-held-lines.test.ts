/**
 * What the reporter's own file/FIFO sink holds while the process is not shutting down is never
 * counted as `shutdown`: a FIFO whose reader stalls past the hand-over bound (the lines this
 * thread's sink holds go to the worker, which writes them once the reader is back), a file on a
 * full disk (`/dev/full`: `ENOSPC`, nothing else). Two reporters failing the same way on one dead
 * destination say one line on stderr, and each counts its own losses. Real FIFOs, real files.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { handoverBound } from '../src/report/handover-wait.js';
import { createReporter } from '../src/report/reporter.js';
import type { ReporterStats } from '../src/report/types.js';
import { exited, pausingReader, runModule } from './support/child.js';
import { idsIn, storm } from './support/reporter-files.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lostIn = (stats: ReporterStats) => Object.values(stats.lost).reduce((a, b) => a + b, 0);

/** Polls until `count` records are written or lost and nothing is on its way, or `ms` passed. */
async function settled(stats: () => ReporterStats, count: number, ms: number): Promise<ReporterStats> {
  const until = Date.now() + ms;
  let now = stats();
  while (Date.now() < until && (now.written + lostIn(now) < count || now.queued + now.inFlight > 0)) {
    await wait(50);
    now = stats();
  }
  return now;
}

describe.skipIf(process.platform === 'win32')('reporter: lines held mid-life are not lost as shutdown', () => {
  it('a FIFO whose reader stalls past the hand-over bound: nothing lost, all written once it reads', async () => {
    // The bound shortened from 30 s to 1 s for this test (the reader stalls 3 s past it).
    const bound = handoverBound.maxMs;
    handoverBound.maxMs = 1000;
    onTestFinished(() => {
      handoverBound.maxMs = bound;
    });
    const { fifo, out, reader } = await pausingReader(4, 'held');
    // Default threshold: this thread writes the first records itself (the pipe fills, its sink
    // holds the rest), then the worker starts and waits for the hand-over.
    const reporter = createReporter({ destination: fifo, dedupWindowMs: 0, flushOnExit: false, queueSize: 10_000 });
    const ids = storm(reporter, 5000, 'stall');
    const stats = await settled(() => reporter.stats, 5000, 25_000);
    await reporter.close();
    await exited(reader, 10_000);
    expect(stats.offThread).toBe(true);
    expect(stats.lost).toEqual({});
    expect(stats.written).toBe(5000);
    const inFile = idsIn(out);
    expect(ids.filter((id) => !inFile.has(id))).toEqual([]);
  }, 45_000);

  it.skipIf(!existsSync('/dev/full'))(
    'a full disk (/dev/full): every record is lost as ENOSPC, none as shutdown',
    async () => {
      const reporter = createReporter({
        destination: '/dev/full',
        dedupWindowMs: 0,
        flushOnExit: false,
        queueSize: 10_000,
      });
      storm(reporter, 5000, 'full');
      const stats = await settled(() => reporter.stats, 5000, 15_000);
      expect(stats.offThread).toBe(true);
      expect(stats.lost).toEqual({ ENOSPC: 5000 });
      expect(stats.written).toBe(0);
      await reporter.close();
      expect(reporter.stats.lost).toEqual({ ENOSPC: 5000 });
    },
    30_000,
  );

  it.skipIf(!existsSync('/dev/full'))(
    'two reporters on one dead destination: one line on stderr, each counts its own',
    async () => {
      const run = await runModule(
        `import { writeSync } from 'node:fs';
import { capture, createReporter } from '@faultline/core';
const options = { destination: '/dev/full', dedupWindowMs: 0, flushOnExit: false, workerThreshold: Infinity };
const a = createReporter(options);
const b = createReporter(options);
for (let i = 0; i < 30; i += 1) a.report(capture(new Error('a ' + i)));
for (let i = 0; i < 70; i += 1) b.report(capture(new Error('b ' + i)));
await a.flush();
await b.flush();
writeSync(2, 'STATS ' + JSON.stringify([a.stats.lost, b.stats.lost]) + '\\n');
await a.close();
await b.close();`,
        {},
        20_000,
      );
      const notices = run.stderr.split('\n').filter((line) => line.startsWith('faultline:'));
      // Said once per process and reason: the line carries no count, the counters carry them.
      expect(notices).toEqual([
        'faultline: the log destination is losing fault records (ENOSPC); reporter.stats.lost counts them',
      ]);
      const stats = run.stderr.split('\n').find((line) => line.startsWith('STATS '));
      expect(JSON.parse(stats?.slice(6) ?? 'null')).toEqual([{ ENOSPC: 30 }, { ENOSPC: 70 }]);
      expect(run.code).toBe(0);
    },
    30_000,
  );
});
