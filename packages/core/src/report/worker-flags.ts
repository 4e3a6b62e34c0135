/**
 * The flags the reporter's worker starts with: the process's own, so that what shapes its I/O
 * holds there too (`--dns-result-order` for a syslog host's address, `--tls-min-v1.3` for the TLS
 * drain: both are per-thread, and a worker given none runs with Node's defaults), without:
 * - `--input-type`: inherited, it stops the worker booting (a `node --input-type=module -e …`
 *   process);
 * - preloads (`-r`/`--require`, `--import`, `--loader`/`--experimental-loader`): an APM agent or an
 *   OpenTelemetry register would start a second time, in the worker;
 * - the flags Node refuses in a worker (V8's, `--max-old-space-size`, `--expose-gc`; process-wide
 *   ones, `--title`, `--use-openssl-ca`): ERR_WORKER_INVALID_EXEC_ARGV, and records never left the
 *   response thread. They apply to the whole process anyway. Node names them only in its error's
 *   message: {@link startWorker} drops what it names and tries again, then with no flags at all.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Flags whose value may follow as the next argument (`-r ./agent.cjs`). */
const PRELOADS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);

/** True when `flag` is `name` or `name=value`. */
function isFlag(flag: string, names: ReadonlySet<string>): boolean {
  const equals = flag.indexOf('=');
  return names.has(equals === -1 ? flag : flag.slice(0, equals));
}

/**
 * `execArgv` without the flags named in `drop` (each with its value: `name=value`, or the next
 * argument when that is not a flag).
 */
export function withoutFlags(execArgv: readonly string[], drop: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i += 1) {
    const flag = execArgv[i] as string;
    if (!isFlag(flag, drop)) kept.push(flag);
    else if (!flag.includes('=') && !(execArgv[i + 1] ?? '-').startsWith('-')) i += 1;
  }
  return kept;
}

/** The process's flags for the worker, before Node's own refusals: no `--input-type`, no preloads. */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  return withoutFlags(execArgv, new Set([...PRELOADS, '--input-type']));
}

/** The flags Node's ERR_WORKER_INVALID_EXEC_ARGV names (`…flags: --a=1, --b`), as names. */
export function refusedFlags(message: string): Set<string> {
  const list = message.slice(message.lastIndexOf(': ') + 2);
  return new Set(list.split(', ').map((flag) => flag.split('=')[0] as string));
}

/** True for Node's refusal of a worker's flags. */
function refusedFlagsError(error: unknown): error is Error {
  return error instanceof Error && (error as { code?: unknown }).code === 'ERR_WORKER_INVALID_EXEC_ARGV';
}

/**
 * A worker on `url` with `options` and the process's flags for it ({@link workerExecArgv}); the
 * flags Node refuses are dropped and it is tried again, then with none. Throws what else fails.
 */
export function startWorker(url: URL, options: Omit<WorkerOptions, 'execArgv'>): Worker {
  let flags = workerExecArgv(process.execArgv);
  try {
    return new Worker(url, { ...options, execArgv: flags });
  } catch (error) {
    if (!refusedFlagsError(error)) throw error;
    flags = withoutFlags(flags, refusedFlags(error.message));
  }
  try {
    return new Worker(url, { ...options, execArgv: flags });
  } catch (error) {
    if (!refusedFlagsError(error)) throw error;
    return new Worker(url, { ...options, execArgv: [] });
  }
}
