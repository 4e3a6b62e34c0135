#!/usr/bin/env node
/**
 * `faultline-probe <target>`: probes a running API (HTTP, gRPC or WebSocket) for leaks and prints
 * a table, `--json` or `--sarif`. Exit codes: 0 answered and clean; 1 findings at or above
 * `--fail-on` (new ones only with `--baseline`) or a run the deadline or the request cap cut
 * short; 2 usage errors, an unreachable target, a target from which no probe got a readable
 * answer (silence is never clean), or one of which no route, method or endpoint of the
 * application was reached (`uncovered`: a 404 everywhere is not clean either).
 */
import { readFileSync } from 'node:fs';
import { applyBaseline } from './baseline.js';
import { type CliArgs, parseCli, USAGE } from './cli-args.js';
import { atLeast } from './findings.js';
import { toSarif } from './output/sarif.js';
import { toTable } from './output/table.js';
import { runProbe } from './run.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

async function main(): Promise<number> {
  let args: CliArgs | 'help' | 'version';
  try {
    args = await parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`faultline-probe: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help' || args === 'version') {
    process.stdout.write(`${args === 'help' ? USAGE : version()}\n`);
    return 0;
  }
  const tty = process.stderr.isTTY === true;
  // The deadline counts from the start of the process, not from the end of its start-up.
  const timeoutMs = Math.max(500, (args.options.timeoutMs ?? 60_000) - Math.round(process.uptime() * 1000));
  const raw = await runProbe(args.target, {
    ...args.options,
    timeoutMs,
    ...(tty ? { onProgress: (label: string) => process.stderr.write(`\r\u001b[K${label.slice(0, 70)}`) } : {}),
  });
  if (tty) process.stderr.write('\r\u001b[K');
  const result =
    args.baseline === undefined ? raw : { ...raw, findings: applyBaseline(raw.findings, args.baseline.keys) };
  const known = result.findings.filter((f) => f.baselineState === 'unchanged').length;
  if (args.format === 'sarif') process.stdout.write(`${JSON.stringify(toSarif(result, version()), null, 2)}\n`);
  else if (args.format === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${toTable(result, args.baseline === undefined ? {} : { known })}\n`);
  if (result.unreachable === true) {
    process.stderr.write(`faultline-probe: ${args.target.url} refused the connection: nothing was probed\n`);
    return 2;
  }
  if (result.verdict === 'inconclusive') {
    process.stderr.write(
      `faultline-probe: no probe got a readable answer from ${args.target.url}: nothing was verified\n`,
    );
    return 2;
  }
  const failing = result.findings.some((f) => f.baselineState !== 'unchanged' && atLeast(f.severity, args.failOn));
  if (failing || result.incomplete) return 1;
  if (result.coverage.gap !== undefined) {
    process.stderr.write(`faultline-probe: ${args.target.url}: ${result.coverage.gap}\n`);
    return 2;
  }
  return 0;
}

process.exitCode = await main();
// Every exchange ends at the deadline; should anything still hold the event loop, do not outlive it.
setTimeout(() => process.exit(), 1000).unref();
