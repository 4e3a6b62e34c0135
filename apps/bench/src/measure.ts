import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { GcFigures } from './child-server.js';
import { pin } from './pinning.js';

/**
 * A small side-by-side timer: every case runs in the same process, interleaved over several
 * rounds, and the median ns/op is reported, so ratios are comparable even on a noisy machine.
 */

/** One benchmark case: a name and a function doing one operation. */
export interface BenchCase {
  readonly name: string;
  readonly run: () => unknown;
}

/** Median nanoseconds per operation for each case. */
export interface BenchResult {
  readonly name: string;
  readonly nsPerOp: number;
}

let sink: unknown;

/** Keeps results alive so the optimiser cannot drop the measured work. */
export function consume(value: unknown): void {
  sink = value;
}

/** Runs every case `rounds` times, `iterations` operations per round, interleaved; returns medians. */
export function measure(cases: readonly BenchCase[], iterations = 50_000, rounds = 7): BenchResult[] {
  for (const c of cases) for (let i = 0; i < iterations / 5; i += 1) consume(c.run());
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const c of cases) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i += 1) consume(c.run());
      const elapsed = Number(process.hrtime.bigint() - start);
      samples.get(c.name)?.push(elapsed / iterations);
    }
  }
  if (sink === Symbol.for('never')) console.log('');
  return cases.map((c) => {
    const sorted = [...(samples.get(c.name) ?? [])].sort((a, b) => a - b);
    return { name: c.name, nsPerOp: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN };
  });
}

/** Prints results as a table with each case's ratio to `baseline`. */
export function printTable(title: string, results: readonly BenchResult[], baseline: string): void {
  const base = results.find((r) => r.name === baseline)?.nsPerOp ?? Number.NaN;
  console.log(`\n${title}`);
  console.log(`${'case'.padEnd(58)} ${'ns/op'.padStart(10)} ${'x baseline'.padStart(11)}`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(58)} ${r.nsPerOp.toFixed(0).padStart(10)} ${(r.nsPerOp / base).toFixed(2).padStart(11)}`,
    );
  }
}

/**
 * CPU seconds (user + system) from a `/proc` stat file: `/proc/<pid>/stat` for a process,
 * `/proc/self/task/<tid>/stat` for one of this process's threads (USER_HZ = 100).
 */
export function statCpuSeconds(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** Resident memory of a process in MiB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** A benchmark server running in its own child process, announced by `{ port }` over IPC. */
export interface ChildServer {
  readonly port: number;
  readonly pid: number;
  /** The child, for more IPC (e.g. asking it for its reporter's stats). */
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Forks `script serve <mode>` (with extra Node flags, if any), pins it to core 0 (load generators
 * run on core 1) and waits for it to report its port; `stop()` asks it to exit.
 */
export async function forkServer(
  script: string,
  mode: string,
  nodeFlags: readonly string[] = [],
): Promise<ChildServer> {
  // stderr discarded: some compared handlers log each error's stack there (that cost is measured, not shown).
  const child = fork(script, ['serve', mode], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    execArgv: [...process.execArgv, ...nodeFlags],
  });
  if (child.pid !== undefined) pin(child.pid, 0);
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve((m as { port: number }).port)),
  );
  return {
    port,
    pid: child.pid ?? 0,
    child,
    stop: async () => {
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/**
 * The server's garbage collection so far (servers that serve their parent with `answerParent`;
 * `NaN` figures when one does not answer within a second).
 */
export function gcFigures(server: ChildServer): Promise<GcFigures> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done({ gcMs: Number.NaN, majors: Number.NaN }), 1000);
    const onMessage = (message: unknown) => {
      const figures = message as Partial<GcFigures> | null;
      if (typeof figures?.gcMs === 'number' && typeof figures.majors === 'number')
        done({ gcMs: figures.gcMs, majors: figures.majors });
    };
    const done = (figures: GcFigures) => {
      clearTimeout(timer);
      server.child.off('message', onMessage);
      resolve(figures);
    };
    server.child.on('message', onMessage);
    server.child.send('gc');
  });
}

/** How long into a gRPC run the server is told to promote its long-lived objects. */
const PROMOTE_AFTER_MS = 300;

/** Sends `message` to a forked server and resolves with the `key` field of its first answer that has one. */
export function askServer<T>(server: Pick<ChildServer, 'child'>, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: unknown) => {
      const value = (answer as Record<string, unknown> | null)?.[key];
      if (value === undefined) return;
      server.child.off('message', onMessage);
      resolve(value as T);
    };
    server.child.on('message', onMessage);
    server.child.send(message);
  });
}

/**
 * Tells the server (run with `--expose-gc`), a moment into the run just started, to move what is
 * alive to the old generation: the state a long-lived HTTP/2 connection reaches at its first
 * mark-compact, instead of leaving it to chance (see the README's performance section).
 */
export function promoteSoon(server: ChildServer): void {
  setTimeout(() => server.child.send('promote'), PROMOTE_AFTER_MS);
}

/** Runs `measureOnce` for every mode, `rounds` times interleaved, and returns each mode's samples. */
export async function interleaved<M extends string, R>(
  modes: readonly M[],
  rounds: number,
  measureOnce: (mode: M) => Promise<R>,
): Promise<Map<M, R[]>> {
  const samples = new Map<M, R[]>(modes.map((m) => [m, []]));
  for (let round = 0; round < rounds; round += 1)
    for (const mode of modes) samples.get(mode)?.push(await measureOnce(mode));
  return samples;
}

/**
 * Runs `node <args>` to its end (at most 2 minutes) and returns the JSON its last stdout line
 * holds: how the benches run one mode in a process of its own. Throws with the child's stderr
 * when it fails, naming `what`.
 */
export function jsonChild<T>(args: readonly string[], what: string): T {
  const out = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
  if (out.status !== 0) throw new Error(`${what} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as T;
}
