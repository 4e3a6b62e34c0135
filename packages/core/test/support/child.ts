/**
 * Child processes of the reporter tests: an ES module run with `node -e` in core's directory (so
 * it imports `@faultline/core`), its stderr kept, killed after a bound; and a bounded wait for a
 * process to exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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

/** Runs `source` (an ES module) in a child with `env` added; SIGKILL after `killMs`. */
export function runModule(source: string, env: Record<string, string>, killMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--no-deprecation', '--input-type=module', '-e', source], {
      cwd: packageDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const kill = setTimeout(() => proc.kill('SIGKILL'), killMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(kill);
      const mark = stderr.split('\n').find((l) => l.startsWith('T '));
      resolve({ code, signal, stderr, sinceMark: mark === undefined ? undefined : Date.now() - Number(mark.slice(2)) });
    });
  });
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
