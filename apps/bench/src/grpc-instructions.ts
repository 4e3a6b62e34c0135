/**
 * Instructions each gRPC call costs the server, counted by valgrind's callgrind, so the figure
 * does not move with the machine's load or its garbage-collection threads (issue 22, item 4). Each
 * `bench:ratios` gRPC mode runs in its own process under callgrind with `--single-threaded` (the
 * collector's and the optimizing compiler's work is on the counted thread): warmed up with W
 * calls, counters zeroed, then M calls counted, one stream in flight over one connection (h2load).
 *
 * Prints per call: the total; the part spent in V8's compilers (`Runtime_CompileOptimized`,
 * `Runtime_CompileLazy`) and in collections (`Heap::CollectGarbage`, incremental marking steps),
 * both counted inclusively; the rest (total minus both); and the plain server of the same outcome
 * over each mode's rest (`grpc-plain-ok` for the success modes, `grpc-plain-error` for the
 * others). Compare modes by the rest: under callgrind a call runs about 50 times slower, V8 is
 * still tiering code up well past 10,000 calls (a second wave of optimizations follows the first
 * deoptimizations of Node's HTTP/2 stream code near 20,000 calls), and with 4,000 calls of warm-up
 * the compiler was 40-45% of the counted total, landing in or out of the counted window by chance;
 * a mark-compact lands the same way (12-60k instructions a call).
 *
 * `node dist/grpc-instructions.js` (from apps/bench, after the build; needs valgrind). Slow: about
 * three minutes a mode with the defaults on an idle machine. GRPC_INSTRUCTIONS_MODES
 * (comma-separated) picks the modes, GRPC_INSTRUCTIONS_WARM (default 10000) and
 * GRPC_INSTRUCTIONS_CALLS (default 2000) the counts, GRPC_INSTRUCTIONS_REPEATS (default 1) how many
 * times the list runs, GRPC_INSTRUCTIONS_NODE_ARGS extra flags for the servers (e.g.
 * `--perf-basic-prof`, whose /tmp/perf-PID.map names JIT frames) and GRPC_INSTRUCTIONS_KEEP a
 * directory to keep the callgrind files in (for `callgrind_annotate`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Counted, countedParts, startUnderCallgrind } from './callgrind-server.js';
import { GRPC_COUNT_MODES, grpcCalls } from './grpc-load.js';
import type { ServerMode } from './ratio-servers.js';

const modes = (process.env.GRPC_INSTRUCTIONS_MODES?.split(',') ?? GRPC_COUNT_MODES) as ServerMode[];
const warm = Number(process.env.GRPC_INSTRUCTIONS_WARM ?? 10000);
const calls = Number(process.env.GRPC_INSTRUCTIONS_CALLS ?? 2000);
const repeats = Math.max(1, Number(process.env.GRPC_INSTRUCTIONS_REPEATS ?? 1));
/** Extra Node flags for the servers (e.g. `--perf-basic-prof` to name JIT frames in the kept files). */
const nodeArgs = (process.env.GRPC_INSTRUCTIONS_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
/** A directory to keep the callgrind files in (for `callgrind_annotate`); by default they are removed. */
const keep = process.env.GRPC_INSTRUCTIONS_KEEP;
const ratios = fileURLToPath(new URL('./ratios.js', import.meta.url));

/** Sends `count` calls of the bench method over one connection, one in flight; resolves with those that succeeded. */
const send = (port: number, count: number) => grpcCalls(port, count);

function countedInstructions(outFile: string): Counted {
  return countedParts(`${outFile}.1`);
}

/** Instructions per counted call of `mode`, and the calls that succeeded. */
async function measureMode(mode: ServerMode, dir: string, run: number): Promise<{ counted: Counted; done: number }> {
  const outFile = join(dir, `callgrind.${mode}.${run}`);
  const server = await startUnderCallgrind(ratios, mode, outFile, [], nodeArgs);
  try {
    await send(server.port, warm);
    server.zero();
    const done = await send(server.port, calls);
    server.dump();
    return { counted: countedInstructions(outFile), done };
  } finally {
    await server.stop();
  }
}

const dir = keep ?? mkdtempSync(join(tmpdir(), 'faultline-callgrind-'));
console.log(`gRPC instructions per call (callgrind, --single-threaded): ${warm} calls of warm-up, ${calls} counted`);
const columns = ['total', 'compile', 'gc', 'rest', 'plain/rest'];
console.log(`${'mode'.padEnd(30)} ${columns.map((c) => c.padStart(10)).join(' ')}   (per call)`);
const measured = new Map<ServerMode, number>();
try {
  for (let run = 0; run < repeats; run += 1) {
    for (const mode of modes) {
      const { counted, done } = await measureMode(mode, dir, run);
      const per = (n: number) => n / Math.max(1, done);
      const rest = per(counted.total - counted.compile - counted.gc);
      measured.set(mode, rest);
      const plain = measured.get(mode.endsWith('-ok') ? 'grpc-plain-ok' : 'grpc-plain-error');
      const ratio = plain === undefined ? '-' : (plain / rest).toFixed(3);
      const figures = [per(counted.total), per(counted.compile), per(counted.gc), rest].map((n) =>
        n.toFixed(0).padStart(10),
      );
      console.log(`${mode.padEnd(30)} ${figures.join(' ')} ${ratio.padStart(10)}   (${done} calls)`);
    }
  }
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  else console.log(`callgrind files kept in ${dir}`);
}
