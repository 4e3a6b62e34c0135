/**
 * The reporter's CPU cost per distinct-shape record, on each thread: CPU time of each thread from
 * `/proc/self/task/<tid>/stat` (Linux), not wall time, so other processes distort it less (not
 * nothing: on a 2-core machine at load 4-7 a round's figures varied by ±15%; compare minima of
 * interleaved runs). The same faults are captured twice in one process: once alone, once captured and
 * reported (paced so the queue never overflows); the main thread's cost per record is the
 * difference. The worker's cost is its thread's CPU time (`WorkerThread`) over the measured
 * records, after a warm-up (its boot and the JIT are not counted); V8's helper threads
 * (concurrent marking, compilation) are shown apart, for both threads together.
 * Usage: `npm run bench:reporter-cost [-- N [rounds [warm-up]]]` (default 3 rounds of 100,000 records after
 * 20,000 of warm-up; min and median shown).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, createReporter } from '@faultline/core';
import { distinctShape } from './distinct-shape.js';
import { statCpuSeconds } from './measure.js';

/** Clock ticks per second of `/proc` times (USER_HZ, 100 on Linux). */
const HZ = 100;
/** Faults reported before each pause. */
const CHUNK = 500;

/** CPU µs of thread `tid` (user + system), or 0 once it ended. */
function threadCpuUs(tid: string): number {
  try {
    return statCpuSeconds(`/proc/self/task/${tid}/stat`) * 1e6;
  } catch {
    return 0;
  }
}

/** Threads alive before the reporter started (Node 20 names none of its threads). */
let earlier = new Set<string>();

/**
 * CPU µs by thread group: the main thread, the reporter's worker, V8's helpers, the rest. Node 22+
 * names its threads (`WorkerThread`, `V8Worker`); on Node 20 the worker is the busiest thread
 * started after `earlier` was taken, and V8's helpers are counted with the rest.
 */
function cpuByGroup(): Record<'main' | 'worker' | 'v8' | 'other', number> {
  const out = { main: 0, worker: 0, v8: 0, other: 0 };
  const unnamed: [string, number][] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    let name = '';
    try {
      name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    const us = threadCpuUs(tid);
    if (tid === String(process.pid)) out.main += us;
    else if (name === 'WorkerThread') out.worker += us;
    else if (name === 'V8Worker') out.v8 += us;
    else if (name === 'node' && !earlier.has(tid)) unnamed.push([tid, us]);
    else out.other += us;
  }
  unnamed.sort((a, b) => b[1] - a[1]);
  for (const [tid, us] of unnamed) {
    if (out.worker === 0 && tid === workerTid(unnamed)) out.worker = us;
    else out.other += us;
  }
  return out;
}

let worker: string | undefined;
/** The Node 20 worker: the busiest new thread when first seen, then the same thread. */
function workerTid(unnamed: [string, number][]): string | undefined {
  worker ??= unnamed[0]?.[0];
  return worker;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The highest RSS seen after a chunk, bytes. */
let peakRss = 0;

/** Captures faults `from` … `from + count - 1`; with `reporter`, reports each and paces the chunks. */
async function feed(from: number, count: number, reporter?: ReturnType<typeof createReporter>): Promise<void> {
  for (let i = from; i < from + count; i += CHUNK) {
    const end = Math.min(from + count, i + CHUNK);
    for (let j = i; j < end; j += 1) {
      const fault = capture(distinctShape(j));
      reporter?.report(fault);
    }
    // Let the reporter hand the chunk over and the worker write it (no drops: every record costs).
    await pause(0);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    // Wait until the chunk was handed over: the queue never overflows, every record costs.
    while (reporter !== undefined && reporter.stats.queued > 0) await pause(1);
  }
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const warm = Number(process.argv[4] ?? 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cost-'));
  const file = join(dir, 'records.log');
  earlier = new Set(readdirSync('/proc/self/task'));
  const reporter = createReporter({ destination: file, flushOnExit: false, workerThreshold: 1 });
  try {
    // Warm-up: the worker boots, both threads' code gets optimized; capture alone is warmed too.
    await feed(0, warm, reporter);
    await reporter.flush();
    await feed(10_000_000, warm);

    const rounds = Number(process.argv[3] ?? 3);
    const runs: Record<'capture' | 'main' | 'worker' | 'v8' | 'other', number>[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const offset = 20_000_000 + round * 2 * n;
      const alone0 = cpuByGroup();
      await feed(offset, n);
      const alone1 = cpuByGroup();
      const before = cpuByGroup();
      await feed(warm + round * n, n, reporter);
      await reporter.flush();
      const after = cpuByGroup();
      const captureUs = (alone1.main - alone0.main) / n;
      runs.push({
        capture: captureUs,
        main: (after.main - before.main) / n - captureUs,
        worker: (after.worker - before.worker) / n,
        v8: (after.v8 - before.v8 - (alone1.v8 - alone0.v8)) / n,
        other: (after.other - before.other) / n,
      });
    }
    const stats = reporter.stats;
    const cell = (key: keyof (typeof runs)[number]) => {
      const values = runs.map((r) => r[key]).sort((a, b) => a - b);
      const median = values[Math.floor(values.length / 2)] ?? 0;
      return `${(values[0] ?? 0).toFixed(2).padStart(7)} ${median.toFixed(2).padStart(7)}   ${values.map((v) => v.toFixed(1)).join(' ')}`;
    };
    console.log(
      `\nreporter CPU per distinct-shape record, µs (${rounds} rounds of ${n} records; thread CPU from /proc, ${1e6 / HZ / n} µs resolution; load ${loadavg()[0]?.toFixed(2)})`,
    );
    console.log(`${''.padEnd(44)} ${'min'.padStart(7)} ${'median'.padStart(7)}   rounds`);
    const row = (label: string, key: keyof (typeof runs)[number]) => console.log(`${label.padEnd(44)} ${cell(key)}`);
    row('main thread: capture alone', 'capture');
    row('main thread: the reporter (over capture)', 'main');
    row('worker thread', 'worker');
    row('V8 helper threads (Node 22+: GC, JIT)', 'v8');
    row('other threads (libuv; on Node 20 V8 too)', 'other');
    console.log(
      `written ${stats.written}, dropped ${stats.droppedQueueFull + stats.droppedBacklog}, offThread ${stats.offThread}, peak RSS ${(peakRss / 1048576).toFixed(0)} MB, file ${(statSync(file).size / 1048576).toFixed(1)} MB`,
    );
  } finally {
    await reporter.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
