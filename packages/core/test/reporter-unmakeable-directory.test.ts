/**
 * A log destination whose directory cannot be made never stops the process: under `/proc`, Node's
 * recursive mkdir (20, 22 and 24) never returned, so a reporter given such a path (a typo in an env
 * variable) spun the process at full CPU before it served anything. Now the directory fails at once
 * and records are counted lost, as for any destination that cannot open. In a child process, so a
 * hang is a killed child, not a stuck test run.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectory } from '../src/make-dir.js';
import { runModule } from './support/child.js';

describe.skipIf(!existsSync('/proc/self'))('a destination under /proc', () => {
  it.each([
    ['a file destination', `{ destination: '/proc/faultline-nope/faults.log' }`],
    ['a rotating file', `{ destination: rotatingFile({ path: '/proc/faultline-nope/faults.log' }) }`],
    ['the worker writing it', `{ destination: '/proc/faultline-nope/faults.log', workerThreshold: 1 }`],
  ])('%s: the process goes on, every record counted lost', async (_name, options) => {
    const run = await runModule(
      `import { writeSync } from 'node:fs';
import { capture, createReporter, rotatingFile } from '@faultline/core';
const reporter = createReporter({ ...${options}, dedupWindowMs: 0, flushOnExit: false });
for (let i = 0; i < 20; i += 1) reporter.report(capture(new Error('boom ' + i)));
await reporter.flush();
await reporter.close();
const lost = Object.values(reporter.stats.lost).reduce((a, b) => a + b, 0);
writeSync(2, 'LOST ' + lost + ' WRITTEN ' + reporter.stats.written + '\\n');`,
      {},
      15_000,
    );
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('LOST 20 WRITTEN 0');
  });
});

describe('makeDirectory', () => {
  it('makes a nested directory, accepts one that exists, and throws under a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-mkdir-'));
    const nested = join(dir, 'a', 'b', 'c');
    makeDirectory(nested);
    expect(existsSync(nested)).toBe(true);
    makeDirectory(nested);
    makeDirectory(join(dir, 'a'));
    expect(() => makeDirectory(join(dir, 'a', 'b', 'c', '..', 'd'))).not.toThrow();
    expect(existsSync(join(dir, 'a', 'b', 'd'))).toBe(true);
    writeFileSync(join(dir, 'file'), '');
    expect(() => makeDirectory(join(dir, 'file', 'x'))).toThrow(/ENOTDIR/);
  });
});
