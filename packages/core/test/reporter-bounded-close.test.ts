/**
 * The end of a reporter that formats its records on the main thread (`workerThreshold:
 * Infinity`) is bounded by `shutdownTimeoutMs` from the call, however long the queue: what it
 * has no time to format is counted lost (`shutdown`) on SIGTERM and at `close()`. A queue it has
 * time for is still written whole. Real processes, a
 * real file.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModule } from './support/child.js';
import type { ReporterStats } from './support/source.js';

/**
 * The child: reports `N` large distinct records to the file `OUT`, on this thread, then either
 * (`MODE` `sigterm`) sends itself SIGTERM while its own handler only stops its timer (a server),
 * or (`close`) awaits `close()`. It prints the stats on exit.
 */
const CHILD = `
import { writeSync } from 'node:fs';
import { capture, createReporter } from '@faultline/core';
const e = process.env;
const reporter = createReporter({
  destination: e.OUT, dedupWindowMs: 0, queueSize: 20000, workerThreshold: Infinity, shutdownTimeoutMs: 500,
});
for (let i = 0; i < Number(e.N); i += 1) reporter.report(capture(new Error('boom ' + i + ' ' + 'y'.repeat(300))));
process.on('exit', () => writeSync(2, 'stats ' + JSON.stringify(reporter.stats) + '\\n'));
writeSync(2, 'T ' + Date.now() + '\\n');
if (e.MODE === 'sigterm') {
  const server = setInterval(() => {}, 1000);
  process.on('SIGTERM', () => clearInterval(server));
  process.kill(process.pid, 'SIGTERM');
} else {
  await reporter.close();
}
`;

/** Every record reported is written, lost, dropped or still held: nothing twice, nothing missing. */
function accounted(stats: ReporterStats): number {
  const lost = Object.values(stats.lost).reduce((a, b) => a + b, 0);
  return (
    stats.written +
    stats.compacted +
    lost +
    stats.droppedQueueFull +
    stats.droppedBacklog +
    stats.suppressed +
    stats.sinkErrors +
    stats.queued +
    stats.inFlight
  );
}

async function run(n: number, mode: 'sigterm' | 'close') {
  const out = join(mkdtempSync(join(tmpdir(), 'faultline-bounded-')), 'faults.log');
  const result = await runModule(CHILD, { OUT: out, N: String(n), MODE: mode }, 20_000);
  const line = result.stderr.split('\n').find((l) => l.startsWith('stats '));
  const stats = line === undefined ? undefined : (JSON.parse(line.slice(6)) as ReporterStats);
  const lines = readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l.includes('boom ')).length;
  return { ...result, stats, lines };
}

describe('reporter on the main thread: the end is bounded', () => {
  it('SIGTERM with 20,000 large records queued: exits within the bound, the stats add up', async () => {
    const result = await run(20_000, 'sigterm');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    // Bound 0.5 s; formatting the whole queue at exit took 2 s here, 9 s on a loaded machine.
    expect(result.sinceMark).toBeLessThan(1200);
    const stats = result.stats as ReporterStats;
    expect(accounted(stats)).toBe(20_000);
    expect(stats.queued).toBe(0);
    // What is counted written is in the file.
    expect(result.lines).toBe(stats.written);
  }, 30_000);

  it('close() with 20,000 large records queued: returns within the bound, the stats add up', async () => {
    const result = await run(20_000, 'close');
    expect(result.code).toBe(0);
    expect(result.sinceMark).toBeLessThan(1200);
    const stats = result.stats as ReporterStats;
    expect(accounted(stats)).toBe(20_000);
    expect(result.lines).toBe(stats.written);
  }, 30_000);

  it('a small queue is still written whole, on SIGTERM and at close()', async () => {
    for (const mode of ['sigterm', 'close'] as const) {
      const result = await run(300, mode);
      expect(result.code).toBe(0);
      expect(result.stats).toMatchObject({ reported: 300, written: 300, lost: {}, queued: 0 });
      expect(result.lines).toBe(300);
    }
  }, 30_000);
});
