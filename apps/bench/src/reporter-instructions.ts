/**
 * `bench:reporter-instructions`: instructions the reporter costs the main thread per recorded
 * fault, counted by valgrind's callgrind so the figure does not move with the machine's load (the
 * µs figures of `bench:reporter-cost` vary by ±15% on a shared 2-core machine). One process under
 * callgrind (`--single-threaded`: the collector's and the compilers' work is on the counted thread;
 * `--separate-threads=yes`: the main thread's counts apart from the reporter's worker and libuv's
 * pool) captures distinct-shape faults (a full record each, never a compacted repeat) and hands
 * each to `recordFault` with a reporter writing to a file (`workerThreshold: 1`: every record goes
 * to the worker, as in a storm), paced so the queue never overflows. After W records of warm-up
 * the counters are zeroed, then windows of F records are counted, each dumped alone. Per window:
 * the main thread's total per record; the part in V8's compilers and collections (inclusive, from
 * `callgrind_annotate`: they depend on when V8 runs them, not on the record); and the rest.
 * Printed: lowest and median over the windows, and `capture` alone (windows of the same faults not
 * reported) for the reporter's share; and, for reference, every other thread's total per record
 * (the reporter's worker and libuv's pool, with their own compilation and collections: no rest).
 *
 * `node dist/reporter-instructions.js` (from apps/bench, after the build; needs valgrind). About
 * two minutes a round. REPORTER_INSTRUCTIONS_WARM (default 20000), REPORTER_INSTRUCTIONS_RECORDS
 * (default 2000, a window), REPORTER_INSTRUCTIONS_WINDOWS (default 6) and
 * REPORTER_INSTRUCTIONS_ROUNDS (default 1, processes; each its own line) set the counts;
 * REPORTER_INSTRUCTIONS_KEEP=<dir> keeps callgrind's files there.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, createReporter, recordFault } from '@faultline/core';
import { type CallgrindServer, dumpedInstructions, startUnderCallgrind } from './callgrind-server.js';
import { distinctShape } from './distinct-shape.js';
import { median } from './measure.js';

/** Faults recorded before the queue is let drain. */
const CHUNK = 250;

/** A request to the counted process: capture faults `from` … `from + count - 1`, reporting them or not. */
interface Run {
  readonly from: number;
  readonly count: number;
  readonly report: boolean;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The counted process: answers {@link Run} requests over IPC with `{ done }`. */
async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-reporter-instr-'));
  const reporter = createReporter({ destination: join(dir, 'records.log'), flushOnExit: false, workerThreshold: 1 });
  const options = { protocol: 'http', reporter, method: 'GET', route: '/charges/:id' } as const;
  process.on('message', async (message) => {
    if (message === 'stop') {
      await reporter.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
    const { from, count, report } = message as Run;
    for (let i = from; i < from + count; i += CHUNK) {
      const end = Math.min(from + count, i + CHUNK);
      for (let j = i; j < end; j += 1) {
        const fault = capture(distinctShape(j));
        if (report) recordFault(fault, options);
      }
      await pause(0);
      while (report && reporter.stats.queued > 0) await pause(1);
    }
    if (report) await reporter.flush();
    process.send?.({ done: count });
  });
  process.send?.({ port: 0 });
}

/** Sends `run` to the counted process and waits for its answer. */
function request(server: CallgrindServer, run: Run): Promise<void> {
  return new Promise((resolve) => {
    server.child.once('message', () => resolve());
    server.child.send(run);
  });
}

/** Disjoint inclusive entry points (as in `grpc-instructions.ts`). */
const COMPILE_ENTRIES = ['v8::internal::Runtime_CompileOptimized(', 'v8::internal::Runtime_CompileLazy('];
const GC_ENTRIES = ['v8::internal::Heap::CollectGarbage(', 'v8::internal::IncrementalMarking::Step('];

/** The main thread's counts in one dump: total, and the compilers' and collections' inclusive share. */
function mainThread(file: string): { total: number; jitGc: number } {
  const total = dumpedInstructions(file);
  const annotated = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let jitGc = 0;
  for (const line of annotated.split('\n')) {
    const match = /^\s*([\d,]+) \([^)]*\)\s+\?\?\?:(.*)$/.exec(line);
    const name = match?.[2];
    if (name !== undefined && [...COMPILE_ENTRIES, ...GC_ENTRIES].some((entry) => name.startsWith(entry)))
      jitGc += Number(match?.[1]?.replaceAll(',', ''));
  }
  return { total, jitGc };
}

/** The instructions of every other thread in dump `n` of `outFile` (the worker, libuv's pool). */
function otherThreads(outFile: string, n: number): number {
  const dir = join(outFile, '..');
  const prefix = `${outFile.slice(dir.length + 1)}.${n}-`;
  let sum = 0;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && name !== `${prefix}01`) sum += dumpedInstructions(join(dir, name));
  }
  return sum;
}

/** Per-record figures of one window. */
interface Window {
  readonly total: number;
  readonly rest: number;
}

/** One process: the reported windows and the capture-alone windows, per record. */
async function round(dir: string, n: number, warm: number, records: number, windows: number) {
  const outFile = join(dir, `callgrind.${n}`);
  const script = fileURLToPath(import.meta.url);
  const server = await startUnderCallgrind(script, 'report', outFile, ['--separate-threads=yes']);
  const reported: Window[] = [];
  const alone: Window[] = [];
  const others: Window[] = [];
  try {
    await request(server, { from: 0, count: warm, report: true });
    await request(server, { from: 10_000_000, count: Math.ceil(warm / 4), report: false });
    let dump = 0;
    for (let w = 0; w < windows; w += 1) {
      for (const report of [true, false]) {
        server.zero();
        const from = (report ? warm : 20_000_000) + w * records;
        await request(server, { from, count: records, report });
        server.dump();
        dump += 1;
        const { total, jitGc } = mainThread(`${outFile}.${dump}-01`);
        (report ? reported : alone).push({ total: total / records, rest: (total - jitGc) / records });
        if (report) {
          const other = otherThreads(outFile, dump) / records;
          others.push({ total: other, rest: other });
        }
      }
    }
  } finally {
    await server.stop();
  }
  return { reported, alone, others };
}

async function main(): Promise<void> {
  const warm = Number(process.env.REPORTER_INSTRUCTIONS_WARM ?? 20_000);
  const records = Number(process.env.REPORTER_INSTRUCTIONS_RECORDS ?? 2000);
  const windows = Math.max(1, Number(process.env.REPORTER_INSTRUCTIONS_WINDOWS ?? 6));
  const rounds = Math.max(1, Number(process.env.REPORTER_INSTRUCTIONS_ROUNDS ?? 1));
  const keep = process.env.REPORTER_INSTRUCTIONS_KEEP;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'faultline-reporter-callgrind-'));
  if (keep !== undefined) mkdirSync(keep, { recursive: true });
  console.log(
    `main-thread instructions per distinct-shape record (callgrind, --single-threaded, Node ${process.versions.node}): ${warm} records of warm-up, ${windows} windows of ${records}`,
  );
  const k = (v: number) => `${(v / 1000).toFixed(1)}k`.padStart(8);
  const cells = (ws: readonly Window[]) => {
    const totals = ws.map((w) => w.total);
    const rests = ws.map((w) => w.rest);
    return `${k(Math.min(...totals))} ${k(median(totals))} ${k(Math.min(...rests))} ${k(median(rests))}`;
  };
  console.log(
    `${'round'.padEnd(6)} ${'path'.padEnd(26)} ${'lowest'.padStart(8)} ${'median'.padStart(8)} ${'rest low'.padStart(8)} ${'rest med'.padStart(8)}`,
  );
  try {
    for (let n = 0; n < rounds; n += 1) {
      const { reported, alone, others } = await round(dir, n, warm, records, windows);
      const over = reported.map((w, i) => ({
        total: w.total - (alone[i]?.total ?? 0),
        rest: w.rest - (alone[i]?.rest ?? 0),
      }));
      console.log(`${String(n + 1).padEnd(6)} ${'capture + recordFault'.padEnd(26)} ${cells(reported)}`);
      console.log(`${''.padEnd(6)} ${'capture alone'.padEnd(26)} ${cells(alone)}`);
      console.log(`${''.padEnd(6)} ${'the reporter (difference)'.padEnd(26)} ${cells(over)}`);
      console.log(`${''.padEnd(6)} ${'other threads (worker)'.padEnd(26)} ${cells(others)}`);
    }
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
    else console.log(`callgrind files kept in ${dir}`);
  }
}

if (process.argv[2] === 'serve') await serve();
else await main();
