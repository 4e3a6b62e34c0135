/**
 * A reporter in a process started with `node --input-type=module -e …` (a one-off script, a
 * container's inline command): its worker must boot there too, not fail on the inherited
 * `--input-type` flag, so records leave the response thread as in any other process.
 */
import { describe, expect, it } from 'vitest';
import { workerExecArgv } from '../src/report/worker-link.js';
import { runModule } from './support/child.js';

const CHILD = `
import { mkdtempSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, createReporter } from '@faultline/core';
const reporter = createReporter({
  destination: join(mkdtempSync(join(tmpdir(), 'faultline-eval-')), 'f.log'),
  dedupWindowMs: 0, workerThreshold: 0, flushOnExit: false,
});
reporter.report(capture(new Error('first')));
const until = Date.now() + 10000;
while (!reporter.stats.offThread && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
for (let i = 0; i < 200; i += 1) reporter.report(capture(new Error('user ' + i + ' failed')));
await reporter.close();
writeSync(2, 'stats ' + JSON.stringify(reporter.stats) + '\\n');
`;

describe('the worker in a process started with --input-type=module -e', () => {
  it('boots, and writes every record', async () => {
    const run = await runModule(CHILD, {}, 20_000);
    const line = run.stderr.split('\n').find((l) => l.startsWith('stats '));
    expect(run.code).toBe(0);
    const stats = JSON.parse((line ?? 'stats {}').slice(6)) as { offThread?: boolean; written?: number };
    expect(stats.offThread).toBe(true);
    expect(stats.written).toBe(201);
  });

  it('keeps every other flag', () => {
    expect(
      workerExecArgv(['--input-type=module', '--enable-source-maps', '--input-type', 'commonjs', '-e', 'x']),
    ).toEqual(['--enable-source-maps', '-e', 'x']);
  });
});
