/**
 * Core pinning and the load generators of the server benchmarks: the server process on core 0,
 * wrk (HTTP/1.1) or h2load (HTTP/2, gRPC) on core 1, and the CPU that other processes used during a
 * run, so a noisy run can be seen and repeated.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Pins process `pid` (and its threads) to `core`; false when taskset is missing or fails. */
export function pin(pid: number, core: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Total and idle jiffies of the whole machine (from /proc/stat). */
export function machineJiffies(): { total: number; idle: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { total, idle: (fields[3] ?? 0) + (fields[4] ?? 0) };
}

/** Runs `command args` pinned to `core` and resolves with its stdout and exit code. */
function runPinned(
  core: number,
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('taskset', ['-c', String(core), command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ code, out }));
  });
}

/** Result of one wrk run. */
export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly non2xx: number;
  /** wrk's mean latency, in milliseconds. */
  readonly latencyMs: number;
}

/** Runs wrk pinned to `core` against `url` for `seconds` with `connections`, and parses its summary. */
export async function wrk(url: string, seconds: number, connections: number, core = 1): Promise<WrkResult> {
  const { code, out } = await runPinned(core, 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, url]);
  if (code !== 0) throw new Error(`wrk exited ${code}: ${out}`);
  const total = /(\d+) requests in ([\d.]+)(ms|s|m)\b/.exec(out);
  const requests = Number(total?.[1] ?? 0);
  const unit = total?.[3];
  const elapsed = Number(total?.[2] ?? 0) * (unit === 'ms' ? 0.001 : unit === 'm' ? 60 : 1);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const latency = /Latency\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const scale = latency?.[2] === 'us' ? 0.001 : latency?.[2] === 's' ? 1000 : 1;
  const latencyMs = Number(latency?.[1] ?? Number.NaN) * scale;
  return { requests, seconds: elapsed, rps: requests / Math.max(elapsed, 1e-9), non2xx, latencyMs };
}

/** Result of one h2load run. */
export interface H2loadResult {
  readonly requests: number;
  readonly rps: number;
}

/**
 * Runs h2load pinned to `core`: `clients` connections with `streams` concurrent streams each, for
 * `seconds`, POSTing `bodyFile` with `headers` (gRPC calls when given a framed message and
 * `content-type: application/grpc`).
 */
export async function h2load(
  url: string,
  seconds: number,
  options: { clients: number; streams: number; bodyFile?: string; headers?: readonly string[]; core?: number },
): Promise<H2loadResult> {
  const args = [`-c${options.clients}`, `-m${options.streams}`, '-D', String(seconds)];
  if (options.bodyFile !== undefined) args.push('-d', options.bodyFile);
  for (const header of options.headers ?? []) args.push('-H', header);
  args.push(url);
  const { code, out } = await runPinned(options.core ?? 1, 'h2load', args);
  const done = /requests: \d+ total, \d+ started, (\d+) done/.exec(out);
  const rate = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
  if (code !== 0 || done === null || rate === null) throw new Error(`h2load exited ${code}: ${out.slice(-400)}`);
  return { requests: Number(done[1]), rps: Number(rate[1]) };
}
