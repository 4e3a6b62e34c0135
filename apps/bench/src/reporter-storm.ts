/**
 * Reporter under an error storm, side by side in one run: each mode runs in its own child
 * process (so RSS is its own) and throws the same 5xx storm:
 * - `pino-default`: what a service does without Faultline: `logger.error({ err })` on the request
 *   path, pino's default (async SonicBoom) destination, full error serialisation.
 * - `faultline`: `capture()` + `reporter.report()` on the request path; stack, redaction and
 *   writing deferred and bounded; storm dedup on.
 * - `faultline-unique`: the same with every error distinct (no dedup), to show the queue bound.
 * Reported per mode: request-path records/s, records/s until everything is flushed, RSS growth.
 * Then `reporter-paced.ts`'s distinct-shape faults at fixed rates (`paced-only`: those alone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, createReporter } from '@faultline/core';
import { pino } from 'pino';
import { jsonChild } from './measure.js';
import { pacedParent } from './reporter-paced.js';

const COUNT = 300_000;
const BATCH = 1_000;

interface ChildResult {
  readonly mode: string;
  readonly pathPerSec: number;
  readonly flushedPerSec: number;
  readonly rssGrowthMb: number;
  readonly peakRssGrowthMb: number;
  readonly dropped: number;
}

function stormError(i: number, unique: boolean): Error {
  const error = new Error(
    unique
      ? `upstream call ${i} to http://svc:8080 failed: password=hunter2`
      : 'upstream call to http://svc:8080 failed: password=hunter2',
  );
  return Object.assign(error, { code: 'ECONNRESET', attempt: i });
}

async function runChild(mode: string, file: string): Promise<ChildResult> {
  const unique = mode === 'faultline-unique';
  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  const start = process.hrtime.bigint();
  let pathNs = 0n;
  let dropped = 0;
  if (mode === 'pino-default') {
    const logger = pino(pino.destination({ dest: file, sync: false }));
    for (let i = 0; i < COUNT; i += BATCH) {
      const t0 = process.hrtime.bigint();
      for (let j = i; j < i + BATCH; j += 1) logger.error({ err: stormError(j, false) }, 'request failed');
      pathNs += process.hrtime.bigint() - t0;
      peak = Math.max(peak, process.memoryUsage().rss);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  } else {
    const reporter = createReporter({ destination: file, flushOnExit: false });
    for (let i = 0; i < COUNT; i += BATCH) {
      const t0 = process.hrtime.bigint();
      for (let j = i; j < i + BATCH; j += 1) reporter.report(capture(stormError(j, unique)));
      pathNs += process.hrtime.bigint() - t0;
      peak = Math.max(peak, process.memoryUsage().rss);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await reporter.flush();
    const stats = reporter.stats;
    dropped = stats.droppedQueueFull + stats.droppedBacklog;
    if (process.env.FAULTLINE_BENCH_DEBUG) console.error(JSON.stringify(stats));
  }
  const totalNs = Number(process.hrtime.bigint() - start);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    mode,
    pathPerSec: COUNT / (Number(pathNs) / 1e9),
    flushedPerSec: COUNT / (totalNs / 1e9),
    rssGrowthMb: (process.memoryUsage().rss - baseRss) / 1048576,
    peakRssGrowthMb: (peak - baseRss) / 1048576,
    dropped,
  };
}

function parent(): void {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const self = fileURLToPath(import.meta.url);
  const results: ChildResult[] = [];
  try {
    for (const mode of ['pino-default', 'faultline', 'faultline-unique']) {
      results.push(jsonChild<ChildResult>([self, mode, join(dir, `${mode}.log`)], mode));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = results[0];
  console.log(`\nreporter under a storm of ${COUNT} 5xx errors (each mode in its own process)`);
  console.log(
    `${'mode'.padEnd(18)} ${'path rec/s'.padStart(12)} ${'x pino'.padStart(7)} ${'flushed rec/s'.padStart(14)} ${'x pino'.padStart(7)} ${'RSS +MB'.padStart(8)} ${'peak +MB'.padStart(9)} ${'dropped'.padStart(8)}`,
  );
  for (const r of results) {
    console.log(
      `${r.mode.padEnd(18)} ${r.pathPerSec.toFixed(0).padStart(12)} ${(r.pathPerSec / (base?.pathPerSec ?? 1)).toFixed(2).padStart(7)} ${r.flushedPerSec.toFixed(0).padStart(14)} ${(r.flushedPerSec / (base?.flushedPerSec ?? 1)).toFixed(2).padStart(7)} ${r.rssGrowthMb.toFixed(1).padStart(8)} ${r.peakRssGrowthMb.toFixed(1).padStart(9)} ${String(r.dropped).padStart(8)}`,
    );
  }
}

const [mode, file] = process.argv.slice(2);
if (mode === 'paced-only') {
  pacedParent();
} else if (mode !== undefined && file !== undefined) {
  console.log(JSON.stringify(await runChild(mode, file)));
} else {
  parent();
  pacedParent();
}
