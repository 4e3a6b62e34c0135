/**
 * A bench server (`<script> serve <mode>`) run under valgrind's callgrind with Node's
 * `--single-threaded` (the collector's and the compilers' work on the counted thread), for the
 * instruction benches (`grpc-instructions.ts`, `ws-instructions.ts`): started until it reports its
 * port, its counters zeroed or dumped with `callgrind_control`, and stopped.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A server running under callgrind. */
export interface CallgrindServer {
  readonly port: number;
  /** The server's process (its IPC channel carries more requests than the port, for some benches). */
  readonly child: ChildProcess;
  /** Zeroes callgrind's counters (`callgrind_control -z`). */
  zero(): void;
  /** Writes what was counted since the last zero or dump to the next `<outFile>.<n>` (`-d`). */
  dump(): void;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * {@link startUnderCallgrind} with no more flags, or, when `named` (the files are kept for
 * `callgrind_annotate`), with the flags that name the JIT code in the dumps: callgrind's
 * `--dump-instr=yes` and Node's `--perf-basic-prof --interpreted-frames-native-stack`.
 */
export function startNamedUnderCallgrind(
  script: string,
  mode: string,
  outFile: string,
  named: boolean,
): Promise<CallgrindServer> {
  return named
    ? startUnderCallgrind(
        script,
        mode,
        outFile,
        ['--dump-instr=yes'],
        ['--perf-basic-prof', '--interpreted-frames-native-stack'],
      )
    : startUnderCallgrind(script, mode, outFile);
}

/**
 * Starts `script serve mode` under callgrind, writing to `outFile`; `callgrindArgs` and `nodeArgs`
 * are more flags for valgrind and for Node. Rejects if the server exits before listening.
 */
export async function startUnderCallgrind(
  script: string,
  mode: string,
  outFile: string,
  callgrindArgs: readonly string[] = [],
  nodeArgs: readonly string[] = [],
): Promise<CallgrindServer> {
  const child = fork(script, ['serve', mode], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      `--callgrind-out-file=${outFile}`,
      '--smc-check=all-non-file',
      ...callgrindArgs,
      process.execPath,
      '--single-threaded',
      '--expose-gc',
      ...nodeArgs,
    ],
  });
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`${mode}: the server exited (${code}) before listening`)));
    });
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const control = (flag: string) => execFileSync('callgrind_control', [flag, String(child.pid)], { stdio: 'ignore' });
  return { port, child, zero: () => control('-z'), dump: () => control('-d'), stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send('stop');
  else child.kill('SIGTERM');
  await exited;
}

/** The instructions a callgrind dump file counted (its `summary:` line; NaN when it has none). */
export function dumpedInstructions(file: string): number {
  return Number(/^summary: (\d+)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? Number.NaN);
}

/**
 * Where the counted instructions went: `total` (the dump's `summary:`), `compile` (V8's
 * optimizing and lazy compilation, which `--single-threaded` runs on the counted thread) and `gc`
 * (collections and incremental marking steps), from the inclusive costs of those entry points.
 * Compilation and major collections depend on when V8 decides to run them, not on the call: under
 * callgrind (about 50 times slower) the process sees its timers and memory reducer far more often
 * per call than it would natively, so `rest` (total minus both) is the figure to compare modes by.
 */
export interface Counted {
  readonly total: number;
  readonly compile: number;
  readonly gc: number;
}

/** Disjoint inclusive entry points (a finalizing step's collection is under `Heap::CollectGarbage`). */
const COMPILE_ENTRIES = ['v8::internal::Runtime_CompileOptimized(', 'v8::internal::Runtime_CompileLazy('];
const GC_ENTRIES = ['v8::internal::Heap::CollectGarbage(', 'v8::internal::IncrementalMarking::Step('];

/** The {@link Counted} parts of callgrind dump `file` (read with `callgrind_annotate`). */
export function countedParts(file: string): Counted {
  const total = dumpedInstructions(file);
  const annotated = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const inclusive = (entries: readonly string[]) => {
    let sum = 0;
    for (const line of annotated.split('\n')) {
      const match = /^\s*([\d,]+) \([^)]*\)\s+\?\?\?:(.*)$/.exec(line);
      if (match !== null && entries.some((entry) => match[2]?.startsWith(entry)))
        sum += Number(match[1]?.replaceAll(',', ''));
    }
    return sum;
  };
  return { total, compile: inclusive(COMPILE_ENTRIES), gc: inclusive(GC_ENTRIES) };
}
