/**
 * Running an extracted example as its reader would: `node dist/<name>.js` in examples/, on an
 * ephemeral port given as PORT, its stdout (where the default reporter writes) collected.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from '@faultline/testkit';

/** The examples workspace. */
export const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A running example. */
export interface Running {
  readonly port: number;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** The NDJSON lines of stdout, parsed (other lines skipped). */
  records(): Record<string, unknown>[];
  /** Polls until `predicate` holds for stdout, or fails after `timeoutMs`. */
  waitFor(predicate: (stdout: string) => boolean, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code (SIGKILL after 5 s). */
  stop(): Promise<number | null>;
}

/** Starts `dist/<name>.js` (with `--import` preloads) and waits until it listens. */
export async function start(name: string, options: { env?: Record<string, string>; preload?: string[] } = {}) {
  const port = await freePort();
  const args = [...(options.preload ?? []).flatMap((p) => ['--import', `./dist/${p}.js`]), `dist/${name}.js`];
  const child = spawn(process.execPath, args, {
    cwd: EXAMPLES,
    env: { ...process.env, PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const running: Running = {
    port,
    stdout: () => out,
    stderr: () => err,
    records: () => parseLines(out),
    waitFor: (predicate, timeoutMs = 10_000) =>
      poll(
        () => predicate(out),
        timeoutMs,
        () => `${out}\n${err}`,
      ),
    stop: () => stop(child),
  };
  try {
    await Promise.race([
      waitForPort(port, 20_000),
      exited(child).then((code) => Promise.reject(new Error(`exited ${code}: ${err}`))),
    ]);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}

/** Runs `dist/<name>.js` to its end (bounded), returning its stdout. */
export async function runToEnd(name: string, env: Record<string, string>, timeoutMs = 15_000): Promise<string> {
  const child = spawn(process.execPath, [`dist/${name}.js`], {
    cwd: EXAMPLES,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited(child);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${name} exited ${code}: ${err}`);
  return out;
}

function parseLines(text: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by the chunking: the next read has it whole
    }
  }
  return records;
}

/** Polls `condition` every 25 ms until it holds or `timeoutMs` passed. */
export async function poll(
  condition: () => boolean,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms\n${describe()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  const code = await done;
  clearTimeout(timer);
  return code;
}
