/**
 * `bench:reporter`'s paced part (issue 27): distinct-shape faults at fixed rates for a few seconds
 * in 10 ms slices, each run in its own process, `capture` alone next to `capture` + a reporter
 * writing to a file: records written and dropped, fault ids found in the file, and the event-loop
 * delay (p99 / max) of both. Both modes keep every fault's id in the same 16-byte table (the
 * harness's own work, done alike on both sides), so the difference is the reporter's.
 * `node dist/reporter-paced.js` (or `reporter-storm.js paced-only`); BENCH_PACED_RATES,
 * BENCH_PACED_SECONDS, BENCH_SLICE_MS.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { capture, createReporter } from '@faultline/core';
import { distinctShape } from './distinct-shape.js';
import { jsonChild } from './measure.js';
import { FloorHandover } from './paced-floor.js';

/** What a run does with each fault: nothing more, the reporter, or the floor ({@link FloorHandover}). */
type Side = 'capture' | 'reporter' | 'floor';

/** One paced run: distinct-shape errors at `rate` per second for `seconds`, in 10 ms slices, to a file. */
interface PacedResult {
  readonly rate: number;
  readonly side: Side;
  readonly reported: number;
  /** Full records plus compacted repeats the sink confirmed. */
  readonly written: number;
  /** Distinct fault ids found in the file (full records' `request_id`, compact lines' `request_ids`). */
  readonly idsInFile: number;
  readonly dropped: number;
  readonly lost: number;
  /** Lost records by reason (`backlog`: the sink's memory bound, `shutdown`: the close deadline…). */
  readonly lostBy: string;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The same after the first second (code warm, the worker up): what a storm in a running service sees. */
  readonly warmP99Ms: number;
  readonly warmMaxMs: number;
  readonly offThread: boolean;
  /** Highest RSS during the run (read every slice) and until the reporter closed, MB. */
  readonly peakRssMb: number;
}

/** Every fault id in a log file: full records and the ids listed by compact lines. */
export function idsInFile(file: string): Set<string> {
  const ids = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as { request_id?: unknown; request_ids?: unknown };
    if (typeof record.request_id === 'string') ids.add(record.request_id);
    if (Array.isArray(record.request_ids)) for (const id of record.request_ids) ids.add(String(id));
  }
  return ids;
}

/** How many of the first `count` ids (16 bytes each in `ids`) are in `found` (UUID strings). */
function countFound(ids: Uint8Array, count: number, found: Set<string>): number {
  let n = 0;
  for (let k = 0; k < count; k += 1) {
    const hex = Buffer.from(ids.buffer, ids.byteOffset + k * 16, 16).toString('hex');
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    if (found.has(id)) n += 1;
  }
  return n;
}

async function pacedChild(rate: number, seconds: number, file: string, side: Side): Promise<PacedResult> {
  const withReporter = side === 'reporter';
  const floor = side === 'floor' ? new FloorHandover() : undefined;
  // BENCH_SLICE_MS tries another `sliceMs` (the reporter's default when unset).
  const slice = process.env.BENCH_SLICE_MS;
  const options = { destination: file, flushOnExit: false, ...(slice === undefined ? {} : { sliceMs: Number(slice) }) };
  const reporter = withReporter ? createReporter(options) : undefined;
  const perTick = Math.max(1, Math.round(rate / 100));
  const ticks = seconds * 100;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const warm = monitorEventLoopDelay({ resolution: 1 });
  // Fault ids as 16 bytes each, outside the JS heap (an array of 500,000 id strings would make
  // every major GC slower), kept alike with and without the reporter: the harness's own cost is
  // on both sides of the comparison (before, only the reporter's side paid it).
  const ids = new Uint8Array(rate * seconds * 16);
  let i = 0;
  let peak = process.memoryUsage.rss();
  const start = Date.now();
  for (let tick = 0; tick < ticks; tick += 1) {
    if (tick === 100) warm.enable();
    for (let j = 0; j < perTick; j += 1, i += 1) {
      const error = distinctShape(i);
      const fault = capture(error);
      Buffer.from(fault.id.replaceAll('-', ''), 'hex').copy(ids, i * 16);
      reporter?.report(fault);
      floor?.add(fault, error);
    }
    floor?.flush();
    peak = Math.max(peak, process.memoryUsage.rss());
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (tick + 1) * 10 - Date.now())));
  }
  histogram.disable();
  warm.disable();
  await reporter?.close();
  const handed = (await floor?.close()) ?? 0;
  // Before the file is read back (its text alone is 150 MB at 50,000 a second).
  peak = Math.max(peak, process.memoryUsage.rss());
  const stats = reporter?.stats;
  const found = withReporter ? idsInFile(file) : new Set<string>();
  return {
    rate,
    side,
    reported: i,
    written: stats === undefined ? handed : stats.written + stats.compacted,
    idsInFile: withReporter ? countFound(ids, i, found) : 0,
    dropped: stats === undefined ? 0 : stats.droppedQueueFull + stats.droppedBacklog,
    lost: stats === undefined ? 0 : Object.values(stats.lost).reduce((a, b) => a + b, 0),
    lostBy: stats === undefined ? '' : JSON.stringify(stats.lost),
    p99Ms: histogram.percentile(99) / 1e6,
    maxMs: histogram.max / 1e6,
    warmP99Ms: warm.percentile(99) / 1e6,
    warmMaxMs: warm.max / 1e6,
    offThread: stats?.offThread ?? false,
    peakRssMb: peak / 1048576,
  };
}

/** The 1-minute load average, for the table (other processes on the machine skew every figure). */
function load(): string {
  return (loadavg()[0] ?? 0).toFixed(2);
}

/**
 * Distinct-shape faults at fixed rates, capture alone next to capture + reporter to a file. Not
 * pinned: the reporter's worker thread needs the core the event loop is not on (pinning the
 * process to one core would put both on it); both modes run the same way.
 */
export function pacedParent(): void {
  const seconds = Number(process.env.BENCH_PACED_SECONDS ?? 5);
  const rates = (process.env.BENCH_PACED_RATES ?? '10000,25000,50000,100000').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-paced-'));
  const self = fileURLToPath(import.meta.url);
  console.log(`
distinct-shape faults at a fixed rate for ${seconds}s in 10 ms slices, each run in its own process;
loop delay from monitorEventLoopDelay (p99 / max, ms); after 1 s: capture alone's and the reporter's, from the
second second on (code warm, worker up; the goals are for the whole run). ids: fault ids found in the file (full records and
compacted repeats) / faults. written: confirmed by the sink (full + compacted). Goals at 50k/s: every id
in the file, 0 dropped, p99 at most 2 ms above capture alone, max at most 20 ms; at 100k/s counts add up
(written + dropped + lost = faults) within the same loop bounds. load: 1-minute load average before the run.
peak RSS: capture alone / with the reporter, read every slice until the reporter closed. floor p99/max: capture plus
the least an off-thread reporter must do on this thread (read the stack's text, hand the fields over in one batch a
slice to a worker that only counts them): what no reporter can go below on this machine.`);
  console.log(
    `${'rate/s'.padStart(8)} ${'load'.padStart(5)} ${'capture p99/max'.padStart(16)} ${'reporter p99/max'.padStart(17)} ${'floor p99/max'.padStart(14)} ${'after 1 s'.padStart(19)} ${'ids / faults'.padStart(16)} ${'written'.padStart(8)} ${'dropped'.padStart(8)} ${'lost'.padStart(6)} ${'worker'.padStart(7)} ${'peak RSS MB'.padStart(12)}  goal`,
  );
  const runOne = (rate: number, side: Side): PacedResult =>
    jsonChild<PacedResult>(
      [self, 'paced', String(rate), String(seconds), join(dir, `paced-${rate}.log`), side],
      `paced ${rate}`,
    );
  try {
    for (const rate of rates) {
      const before = load();
      const alone = runOne(rate, 'capture');
      const r = runOne(rate, 'reporter');
      const floor = runOne(rate, 'floor');
      if (floor.written !== floor.reported)
        throw new Error(`floor ${rate}: ${floor.written} of ${floor.reported} handed over`);
      rmSync(join(dir, `paced-${rate}.log`), { force: true });
      const loopOk = r.p99Ms <= alone.p99Ms + 2 && r.maxMs <= 20;
      const counted = r.written + r.dropped + r.lost === r.reported;
      const goal =
        rate <= 50_000
          ? r.idsInFile === r.reported && r.dropped === 0 && loopOk
            ? 'met'
            : 'NOT met'
          : counted && loopOk
            ? 'met'
            : 'NOT met';
      console.log(
        `${String(rate).padStart(8)} ${before.padStart(5)} ${`${alone.p99Ms.toFixed(1)}/${alone.maxMs.toFixed(1)}`.padStart(16)} ${`${r.p99Ms.toFixed(1)}/${r.maxMs.toFixed(1)}`.padStart(17)} ${`${floor.p99Ms.toFixed(1)}/${floor.maxMs.toFixed(1)}`.padStart(14)} ${`${alone.warmP99Ms.toFixed(1)}/${alone.warmMaxMs.toFixed(1)} ${r.warmP99Ms.toFixed(1)}/${r.warmMaxMs.toFixed(1)}`.padStart(19)} ${`${r.idsInFile}/${r.reported}`.padStart(16)} ${String(r.written).padStart(8)} ${String(r.dropped).padStart(8)} ${String(r.lost).padStart(6)} ${String(r.offThread).padStart(7)} ${`${alone.peakRssMb.toFixed(0)}/${r.peakRssMb.toFixed(0)}`.padStart(12)}  ${goal}${counted ? '' : ' (counts do not add up)'}${r.lost > 0 ? ` lost ${r.lostBy}` : ''}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, rate, seconds, file, side] = process.argv.slice(2);
if (mode === 'paced' && rate !== undefined && seconds !== undefined && file !== undefined) {
  console.log(
    JSON.stringify(
      await pacedChild(Number(rate), Number(seconds), file, side === 'reporter' || side === 'floor' ? side : 'capture'),
    ),
  );
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  pacedParent();
}
