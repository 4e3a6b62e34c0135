/**
 * Child processes of the reporter tests: Node run in core's directory (so it imports
 * `@faultline/core`) on a script or an inline ES module, its stderr kept, killed after a bound; a
 * bounded wait for a process to exit; and FIFO destinations with a reader that pauses.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

/** How a child run ended. */
export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** From the child's `T <ms>` mark on stderr to its exit, when it wrote one. */
  readonly sinceMark: number | undefined;
}

/**
 * Resolves once each of `streams` (a child's piped output, read by the caller) has closed, or
 * after `boundMs`. A child's 'exit' can come before its output was read (under load all of it):
 * a run resolved on 'exit' saw an empty stderr now and then.
 */
export function drained(streams: readonly (NodeJS.ReadableStream | null)[], boundMs = 2_000): Promise<void> {
  const closes = streams.map((stream) =>
    stream === null || (stream as { closed?: boolean }).closed === true
      ? undefined
      : once(stream as NodeJS.EventEmitter, 'close').catch(() => undefined),
  );
  let bound: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.all(closes).then(() => undefined),
    new Promise<void>((resolve) => {
      bound = setTimeout(resolve, boundMs);
    }),
  ]).finally(() => clearTimeout(bound));
}

/**
 * Runs Node with `args` in a child with `env` added; SIGKILL after `killMs`. `stdout`: `unread`
 * gives the child a pipe that nobody reads (it fills and stays full).
 */
export function runNode(
  args: readonly string[],
  env: Record<string, string>,
  killMs: number,
  stdout: 'ignore' | 'unread' = 'ignore',
): Promise<ChildRun> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args, {
      cwd: packageDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', stdout === 'unread' ? 'pipe' : 'ignore', 'pipe'],
    });
    proc.stdout?.pause();
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const kill = setTimeout(() => proc.kill('SIGKILL'), killMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(kill);
      const exitedAt = Date.now();
      void drained([proc.stderr]).then(() => {
        const mark = stderr.split('\n').find((l) => l.startsWith('T '));
        resolve({ code, signal, stderr, sinceMark: mark === undefined ? undefined : exitedAt - Number(mark.slice(2)) });
      });
    });
  });
}

/** Runs `source` (an ES module) in a child with `env` added; SIGKILL after `killMs` (`stdout` as in {@link runNode}). */
export function runModule(
  source: string,
  env: Record<string, string>,
  killMs: number,
  stdout: 'ignore' | 'unread' = 'ignore',
): Promise<ChildRun> {
  return runNode(['--no-deprecation', '--input-type=module', '-e', source], env, killMs, stdout);
}

/** Resolves once `proc` exited, or after `ms` (it is then killed). */
export function exited(proc: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve();
    }, ms);
    proc.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A new FIFO in a directory of its own (`tag` names the directory). */
export function makeFifo(tag: string): string {
  const fifo = join(mkdtempSync(join(tmpdir(), `faultline-${tag}-`)), 'pipe');
  execFileSync('mkfifo', [fifo]);
  return fifo;
}

/**
 * A FIFO and its reader (Python), which opens it, reads nothing for `pauseSeconds`, then copies
 * it all to `out`; resolves once the reader has opened the FIFO (the destination is opened
 * without blocking: its reader must be there first).
 */
export async function pausingReader(
  pauseSeconds: number,
  tag: string,
): Promise<{ fifo: string; out: string; reader: ChildProcess }> {
  const fifo = makeFifo(tag);
  const out = join(fifo, '..', 'out.log');
  const reader = spawn('python3', [
    '-c',
    `import os,sys,time\nd=os.open(sys.argv[1],os.O_RDONLY|os.O_NONBLOCK)\nos.set_blocking(d,True)\nprint("open",flush=True)\ntime.sleep(${pauseSeconds})\no=open(sys.argv[2],"wb")\nwhile True:\n  b=os.read(d,65536)\n  if not b: break\n  o.write(b)\no.close()`,
    fifo,
    out,
  ]);
  await new Promise((resolve) => reader.stdout?.once('data', resolve));
  return { fifo, out, reader };
}
