/**
 * Reporter under an error storm, side by side in one run: each mode runs in its own child
 * process (so RSS is its own) and throws the same 5xx storm:
 * - `pino-default`: what a service does without Faultline: `logger.error({ err })` on the request
 *   path, pino's default (async SonicBoom) destination, full error serialisation.
 * - `faultline`: `capture()` + `reporter.report()` on the request path; stack, redaction and
 *   writing deferred and bounded; storm dedup on.
 * - `faultline-unique`: the same with every error distinct (no dedup), to show the queue bound.
 * Reported per mode: request-path records/s, records/s until everything is flushed, RSS growth.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, createReporter } from '@faultline/core';
import { pino } from 'pino';

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
      const out = spawnSync(process.execPath, [self, mode, join(dir, `${mode}.log`)], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (out.status !== 0) throw new Error(`${mode} failed: ${out.stderr}`);
      results.push(JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as ChildResult);
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

/** One paced run: distinct errors (compaction off) at `rate` per second for `seconds`, to a file. */
interface PacedResult {
  readonly rate: number;
  readonly reported: number;
  readonly written: number;
  readonly dropped: number;
  readonly lost: number;
  /** Main-thread microseconds per error spent in capture() + report() (the request path). */
  readonly pathUs: number;
  /** Process CPU microseconds per error, everything included (formatting, redaction, I/O). */
  readonly cpuUs: number;
}

async function pacedChild(rate: number, seconds: number, file: string): Promise<PacedResult> {
  const reporter = createReporter({ destination: file, flushOnExit: false, dedupWindowMs: 0 });
  const perTick = Math.max(1, Math.round(rate / 100));
  const ticks = seconds * 100;
  let pathNs = 0n;
  let i = 0;
  const cpuBefore = process.cpuUsage();
  for (let tick = 0; tick < ticks; tick += 1) {
    const due = Date.now() + 10;
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < perTick; j += 1, i += 1) reporter.report(capture(stormError(i, true)));
    pathNs += process.hrtime.bigint() - t0;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }
  await reporter.flush();
  const cpu = process.cpuUsage(cpuBefore);
  const stats = reporter.stats;
  return {
    rate,
    reported: stats.reported,
    written: stats.written,
    dropped: stats.droppedQueueFull + stats.droppedBacklog,
    lost: Object.values(stats.lost).reduce((a, b) => a + b, 0),
    pathUs: Number(pathNs) / 1000 / Math.max(1, stats.reported),
    cpuUs: (cpu.user + cpu.system) / Math.max(1, stats.reported),
  };
}

/** Distinct errors at fixed rates: where drops begin (goal: none up to 50,000 records/s). */
function pacedParent(): void {
  const seconds = Number(process.env.BENCH_PACED_SECONDS ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-paced-'));
  const self = fileURLToPath(import.meta.url);
  console.log(`
distinct errors (compaction off) at a fixed rate for ${seconds}s each, to a file, each rate in its own process`);
  console.log(
    `${'rate/s'.padStart(8)} ${'reported'.padStart(9)} ${'written'.padStart(9)} ${'dropped'.padStart(8)} ${'lost'.padStart(6)} ${'path us'.padStart(8)} ${'cpu us'.padStart(7)}  goal`,
  );
  try {
    for (const rate of [25_000, 35_000, 50_000, 75_000, 100_000]) {
      const out = spawnSync(
        process.execPath,
        [self, 'paced', String(rate), String(seconds), join(dir, `paced-${rate}.log`)],
        {
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      if (out.status !== 0) throw new Error(`paced ${rate} failed: ${out.stderr}`);
      const r = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as PacedResult;
      const goal =
        rate <= 50_000
          ? r.dropped === 0 && r.lost === 0
            ? 'no drops: met'
            : 'no drops: NOT met'
          : `counts add up: ${r.written + r.dropped + r.lost === r.reported ? 'yes' : 'NO'}`;
      console.log(
        `${String(rate).padStart(8)} ${String(r.reported).padStart(9)} ${String(r.written).padStart(9)} ${String(r.dropped).padStart(8)} ${String(r.lost).padStart(6)} ${r.pathUs.toFixed(2).padStart(8)} ${r.cpuUs.toFixed(2).padStart(7)}  ${goal}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, file, third, fourth] = process.argv.slice(2);
if (mode === 'paced' && file !== undefined && third !== undefined && fourth !== undefined) {
  console.log(JSON.stringify(await pacedChild(Number(file), Number(third), fourth)));
} else if (mode !== undefined && file !== undefined) {
  console.log(JSON.stringify(await runChild(mode, file)));
} else {
  parent();
  pacedParent();
}
