/**
 * The reporter's worker boots whatever flags the process was started with, so records leave the
 * response thread as in any other process: Node refuses a worker handed a V8 or process flag
 * (`--max-old-space-size`, which most production servers set, `--expose-gc`, `--title`), and
 * `--input-type` (a one-off `node --input-type=module -e …`, a container's inline command) stops
 * it booting. A preload (`-r`: an APM agent, an OpenTelemetry register) is not run in it again.
 * The flags that shape its I/O per thread (`--dns-result-order`, `--tls-min-v1.3`) are kept.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refusedFlags, withoutFlags, workerExecArgv } from '../src/report/worker-flags.js';
import { runModule, runNode } from './support/child.js';

const CHILD = `
import { mkdtempSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, createReporter } from '@faultline/core';
const reporter = createReporter({
  destination: join(mkdtempSync(join(tmpdir(), 'faultline-flags-')), 'f.log'),
  dedupWindowMs: 0, workerThreshold: 0, flushOnExit: false,
});
reporter.report(capture(new Error('first')));
const until = Date.now() + 10000;
while (!reporter.stats.offThread && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
for (let i = 0; i < 200; i += 1) reporter.report(capture(new Error('user ' + i + ' failed')));
await reporter.close();
writeSync(2, 'stats ' + JSON.stringify(reporter.stats) + '\\n');
`;

/** The child's final stats line. */
function stats(stderr: string): { offThread?: boolean; written?: number } {
  const line = stderr.split('\n').find((l) => l.startsWith('stats '));
  return JSON.parse((line ?? 'stats {}').slice(6)) as { offThread?: boolean; written?: number };
}

describe('the worker, whatever flags the process has', () => {
  it('boots in a process started with --input-type=module -e, and writes every record', async () => {
    const run = await runModule(CHILD, {}, 20_000);
    expect(run.code).toBe(0);
    expect(stats(run.stderr)).toMatchObject({ offThread: true, written: 201 });
  }, 30_000);

  it.each([
    ['--max-old-space-size=512'],
    ['--max-semi-space-size=16'],
    ['--expose-gc'],
    ['--stack-trace-limit=30'],
    ['--title=faultline-flags'],
    ['--dns-result-order=ipv4first'],
  ])(
    'boots in a process started with %s',
    async (flag) => {
      const run = await runNode(['--no-deprecation', flag, '--input-type=module', '-e', CHILD], {}, 20_000);
      expect(run.code).toBe(0);
      expect(stats(run.stderr)).toMatchObject({ offThread: true, written: 201 });
    },
    30_000,
  );

  it('boots with refused flags beside kept ones', async () => {
    const flags = ['--max-old-space-size=512', '--tls-min-v1.3', '--expose-gc', '--dns-result-order=ipv4first'];
    const run = await runNode(['--no-deprecation', ...flags, '--input-type=module', '-e', CHILD], {}, 20_000);
    expect(run.code).toBe(0);
    expect(stats(run.stderr)).toMatchObject({ offThread: true, written: 201 });
  }, 30_000);

  it('does not run a -r preload again in the worker', async () => {
    const preload = join(mkdtempSync(join(tmpdir(), 'faultline-preload-')), 'agent.cjs');
    writeFileSync(
      preload,
      "require('node:fs').writeSync(2, 'preload ' + (require('node:worker_threads').isMainThread ? 'main' : 'worker') + '\\n');",
    );
    const run = await runNode(['--no-deprecation', '-r', preload, '--input-type=module', '-e', CHILD], {}, 20_000);
    expect(run.code).toBe(0);
    expect(stats(run.stderr)).toMatchObject({ offThread: true, written: 201 });
    expect(run.stderr.split('\n').filter((l) => l.startsWith('preload '))).toEqual(['preload main']);
  }, 30_000);

  it('keeps the flags of the worker’s I/O, drops --input-type and preloads with their values', () => {
    expect(
      workerExecArgv([
        '--dns-result-order=ipv4first',
        '-r',
        './agent.cjs',
        '--tls-min-v1.3',
        '--import=@opentelemetry/register',
        '--input-type',
        'module',
        '--require=./b.cjs',
        '--loader',
        'ts-node/esm',
        '--enable-source-maps',
      ]),
    ).toEqual(['--dns-result-order=ipv4first', '--tls-min-v1.3', '--enable-source-maps']);
  });

  it('drops what Node names as refused, with a value given as the next argument', () => {
    const refused = refusedFlags(
      'Initiated Worker with invalid execArgv flags: --max-old-space-size=512, --title, --expose-gc',
    );
    expect([...refused]).toEqual(['--max-old-space-size', '--title', '--expose-gc']);
    expect(
      withoutFlags(
        [
          '--max-old-space-size=512',
          '--title',
          'api',
          '--tls-min-v1.3',
          '--expose-gc',
          '--dns-result-order',
          'ipv4first',
        ],
        refused,
      ),
    ).toEqual(['--tls-min-v1.3', '--dns-result-order', 'ipv4first']);
  });
});
