/**
 * What the reporter's worker thread costs in memory, and what the response thread pays per
 * record with and without it (the figures behind `workerThreshold`). Each mode runs in its own
 * process (`--expose-gc`), reports 20,000 distinct-shape faults to a file in slices, then forces
 * two garbage collections and reads RSS:
 * - `capture`: capture only, no reporter (the baseline);
 * - `main`: the reporter writing on the response thread (`workerThreshold: Infinity`);
 * - `worker`: the reporter with its worker started at once (`workerThreshold: 0`).
 * The response thread's CPU per record is its CPU time over the run minus the baseline's.
 * Run: `node dist/reporter-footprint.js` (median of 3 runs per mode).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, createReporter } from '@faultline/core';
import { distinctShape } from './distinct-shape.js';
import { jsonChild } from './measure.js';

const COUNT = 20_000;
const PER_SLICE = 200;

interface Footprint {
  readonly mode: string;
  readonly rssMb: number;
  readonly heapMb: number;
  /** CPU time of the process (all threads) per fault, µs. */
  readonly cpuUs: number;
  /** CPU time of the response thread per fault, µs (Node 23.9+, else -1). */
  readonly mainUs: number;
  readonly offThread: boolean;
}

async function child(mode: string, file: string): Promise<Footprint> {
  const reporter =
    mode === 'capture'
      ? undefined
      : createReporter({
          destination: file,
          flushOnExit: false,
          workerThreshold: mode === 'worker' ? 0 : Number.POSITIVE_INFINITY,
        });
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const thread = (process as { threadCpuUsage?: (prev?: NodeJS.CpuUsage) => NodeJS.CpuUsage }).threadCpuUsage;
  const cpu0 = process.cpuUsage();
  const main0 = thread?.call(process);
  for (let i = 0; i < COUNT; i += PER_SLICE) {
    for (let j = i; j < i + PER_SLICE; j += 1) {
      // Not `reporter?.report(capture(…))`: without a reporter that would skip the capture too.
      const fault = capture(distinctShape(j));
      reporter?.report(fault);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await reporter?.flush();
  const cpu = process.cpuUsage(cpu0);
  const main = thread === undefined || main0 === undefined ? undefined : thread.call(process, main0);
  gc();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const memory = process.memoryUsage();
  return {
    mode,
    rssMb: memory.rss / 1048576,
    heapMb: memory.heapUsed / 1048576,
    cpuUs: (cpu.user + cpu.system) / COUNT,
    mainUs: main === undefined ? -1 : (main.user + main.system) / COUNT,
    offThread: reporter?.stats.offThread ?? false,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function parent(): void {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-footprint-'));
  const self = fileURLToPath(import.meta.url);
  const runs: Record<string, Footprint[]> = { capture: [], main: [], worker: [] };
  console.log(
    `\nreporter footprint: ${COUNT} distinct-shape faults to a file, then GC; load ${loadavg()[0]?.toFixed(2)}`,
  );
  try {
    for (let run = 0; run < 3; run += 1) {
      for (const mode of Object.keys(runs)) {
        runs[mode]?.push(jsonChild<Footprint>(['--expose-gc', self, mode, join(dir, `${mode}-${run}.log`)], mode));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = runs.capture ?? [];
  console.log(
    `${'mode'.padEnd(8)} ${'RSS MB'.padStart(7)} ${'+RSS'.padStart(6)} ${'heap MB'.padStart(8)} ${'CPU µs/fault'.padStart(13)} ${'+CPU'.padStart(6)} ${'main µs'.padStart(8)}  runs (RSS)`,
  );
  for (const [mode, list] of Object.entries(runs)) {
    const rss = median(list.map((r) => r.rssMb));
    const cpu = median(list.map((r) => r.cpuUs));
    console.log(
      `${mode.padEnd(8)} ${rss.toFixed(1).padStart(7)} ${(rss - median(base.map((r) => r.rssMb))).toFixed(1).padStart(6)} ${median(
        list.map((r) => r.heapMb),
      )
        .toFixed(1)
        .padStart(
          8,
        )} ${cpu.toFixed(1).padStart(13)} ${(cpu - median(base.map((r) => r.cpuUs))).toFixed(1).padStart(6)} ${median(
        list.map((r) => r.mainUs),
      )
        .toFixed(1)
        .padStart(8)}  ${list.map((r) => r.rssMb.toFixed(1)).join(' ')}`,
    );
  }
}

const [mode, file] = process.argv.slice(2);
if (mode !== undefined && file !== undefined) console.log(JSON.stringify(await child(mode, file)));
else parent();
