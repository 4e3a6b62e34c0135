/**
 * A log file whose writes stop inside a line: the file reaches its size limit (RLIMIT_FSIZE, set
 * on a real child process with `prlimit`, as a full disk would), a write takes part of a record
 * and the rest fails with EFBIG. Once the limit is lifted, the records that follow must each be a
 * line of their own: glued to the cut record, the first of them was counted written and yet no
 * reader of the file could parse it. The same for a file an earlier process left ending mid-line.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drained } from './support/child.js';
import type { ReporterStats } from './support/source.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * The child: reports `N` records (a burst) to `FILE` (a `rotatingFile` when `KIND` is `rot`), says
 * `full <stats>` once they are settled, and on SIGUSR2 waits `DELAY` ms (a failed rotating file is
 * made anew 5 s after its failure), reports `N2` more, closes the reporter and says `end <stats>`.
 */
const CHILD = `
import { writeSync } from 'node:fs';
import { capture, createReporter, rotatingFile } from '@faultline/core';
const e = process.env;
const reporter = createReporter({ destination: e.KIND === 'rot' ? rotatingFile({ path: e.FILE }) : e.FILE, dedupWindowMs: 0, queueSize: 20000, workerThreshold: Infinity });
const burst = (n, tag) => { for (let i = 0; i < n; i += 1) reporter.report(capture(new Error(tag + ' ' + i + ' ' + 'y'.repeat(200)))); };
burst(Number(e.N), 'first');
const settled = () => { const s = reporter.stats; return s.queued === 0 && (s.written + Object.values(s.lost).reduce((a, b) => a + b, 0)) === s.reported; };
const poll = setInterval(() => { if (settled()) { clearInterval(poll); writeSync(2, 'full ' + JSON.stringify(reporter.stats) + '\\n'); } }, 20);
const keep = setInterval(() => {}, 1000);
process.on('SIGUSR2', async () => {
  await new Promise((resolve) => setTimeout(resolve, Number(e.DELAY ?? 0)));
  burst(Number(e.N2), 'second');
  await reporter.close();
  writeSync(2, 'end ' + JSON.stringify(reporter.stats) + '\\n');
  clearInterval(keep);
});
`;

function hasPrlimit(): boolean {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Lines of `file` that parse as JSON, and those that do not. */
/** How many lines of `file` are records of the second burst (written once space came back). */
function secondRecords(file: string): number {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"second ')).length;
}

function lines(file: string): { good: number; bad: string[] } {
  const all = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const bad = all.filter((l) => {
    try {
      JSON.parse(l);
      return false;
    } catch {
      return true;
    }
  });
  return { good: all.length - bad.length, bad };
}

/** Runs the child under a file size limit of `limit` bytes, lifts it once the first burst settled, then sends SIGUSR2. */
async function run(file: string, limit: number, n: number, n2: number, more: Record<string, string> = {}) {
  const proc = spawn(
    'prlimit',
    [`--fsize=${limit}:unlimited`, '--', process.execPath, '--no-deprecation', '--input-type=module', '-e', CHILD],
    {
      cwd: packageDir,
      env: { ...process.env, FILE: file, N: String(n), N2: String(n2), ...more },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  const full = new Promise<void>((resolve) => {
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('full ')) resolve();
    });
  });
  const kill = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await full;
  execFileSync('prlimit', ['--pid', String(proc.pid), '--fsize=unlimited']);
  proc.kill('SIGUSR2');
  await once(proc, 'exit');
  clearTimeout(kill);
  await drained([proc.stderr]);
  const stat = (tag: string) => {
    const line = stderr.split('\n').find((l) => l.startsWith(`${tag} `));
    return line === undefined ? undefined : (JSON.parse(line.slice(tag.length + 1)) as ReporterStats);
  };
  return { first: stat('full'), end: stat('end'), stderr };
}

describe.skipIf(!hasPrlimit())('a file whose writes stop inside a line', () => {
  it('the records after the cut one are lines of their own, and written counts exactly the lines readers get', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-torn-')), 'faults.log');
    // About 40 records fit: the cut falls inside one of the 300.
    const { first, end, stderr } = await run(file, 40_000, 300, 20);
    expect(first?.lost.EFBIG, stderr).toBeGreaterThan(0);
    expect(end?.reported).toBe(320);
    const { good, bad } = lines(file);
    // The cut record alone is unreadable; every record counted written is a line a reader parses.
    expect(bad).toHaveLength(1);
    expect(bad[0]?.startsWith('{"level":50')).toBe(true);
    expect(good).toBe(end?.written);
    expect(secondRecords(file)).toBe(20);
  }, 20_000);

  it('a rotating file: records written before the failure count written, the cut one lost, and the file made anew ends it first', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-torn-')), 'faults.log');
    const { first, end, stderr } = await run(file, 40_000, 300, 20, { KIND: 'rot', DELAY: '5200' });
    expect(first?.lost.EFBIG, stderr).toBeGreaterThan(0);
    expect(end?.reported).toBe(320);
    const { good, bad } = lines(file);
    expect(bad).toHaveLength(1);
    // Lines the library batched into one write all failed with it, the ones in the file too; a
    // short write counted the cut line written.
    expect(good).toBe(end?.written);
    expect(end?.written).toBeGreaterThan(20);
    expect(secondRecords(file)).toBe(20);
  }, 20_000);

  it('a file that already ends inside a line (an earlier process cut off) gets a newline before the first record', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-torn-')), 'faults.log');
    writeFileSync(file, '{"level":50,"msg":"cut off by SIGKILL');
    const { end } = await run(file, 10_000_000, 3, 2);
    const { good, bad } = lines(file);
    expect(bad).toEqual(['{"level":50,"msg":"cut off by SIGKILL']);
    expect(good).toBe(5);
    expect(end?.written).toBe(5);
  }, 20_000);
});
