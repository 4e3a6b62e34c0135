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
