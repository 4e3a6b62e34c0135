#!/usr/bin/env node
/**
 * `faultline-probe <target>`: probes a running API (HTTP, gRPC or WebSocket) for leaks and prints
 * a table, `--json` or `--sarif`. Exit code 1 when a finding at or above `--fail-on` (default
 * medium) exists, 2 for usage errors, 0 otherwise.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { atLeast, SEVERITIES, type Severity } from './findings.js';
import { toSarif } from './output/sarif.js';
import { toTable } from './output/table.js';
import { runProbe } from './run.js';
import { parseTarget } from './target.js';

const USAGE = `usage: faultline-probe <http(s)://host:port[/base] | grpc(s)://host:port | ws(s)://host:port/path>
  --json | --sarif            output format (default: table)
  --fail-on <severity>        info, low, medium (default) or high
  --path <path>               extra HTTP path to probe (repeatable)
  --grpc-method </pkg.S/M>    gRPC method to send malformed messages to (repeatable; server reflection adds the rest)
  --proto <file.proto>        gRPC methods to probe, from a .proto file
  --forbidden <path>          a resource the probe may not see (existence oracle)
  --http2                     speak HTTP/2 (h2c prior knowledge on http://, ALPN h2 on https://)
  --timeout <seconds>         whole run (default 60)
  --allow-remote              allow a non-loopback target`;

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        sarif: { type: 'boolean' },
        'fail-on': { type: 'string' },
        path: { type: 'string', multiple: true },
        'grpc-method': { type: 'string', multiple: true },
        proto: { type: 'string' },
        forbidden: { type: 'string' },
        http2: { type: 'boolean' },
        timeout: { type: 'string' },
        'allow-remote': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`faultline-probe: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return values.help === true ? 0 : 2;
  }
  const failOn = (values['fail-on'] ?? 'medium') as Severity;
  if (!SEVERITIES.includes(failOn)) {
    process.stderr.write(`faultline-probe: --fail-on takes ${SEVERITIES.join(', ')}\n`);
    return 2;
  }
  const seconds = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    process.stderr.write('faultline-probe: --timeout takes seconds between 1 and 3600\n');
    return 2;
  }
  let target: ReturnType<typeof parseTarget>;
  try {
    target = parseTarget(String(positionals[0]), values['allow-remote'] === true);
  } catch (error) {
    process.stderr.write(`faultline-probe: ${(error as Error).message}\n`);
    return 2;
  }
  const tty = process.stderr.isTTY === true;
  const result = await runProbe(target, {
    paths: (values.path as string[] | undefined) ?? [],
    grpcMethods: (values['grpc-method'] as string[] | undefined) ?? [],
    ...(typeof values.proto === 'string' ? { protoFile: values.proto } : {}),
    ...(typeof values.forbidden === 'string' ? { forbidden: values.forbidden } : {}),
    http2: values.http2 === true,
    timeoutMs: seconds * 1000,
    ...(tty ? { onProgress: (label: string) => process.stderr.write(`\r\u001b[K${label}`) } : {}),
  });
  if (tty) process.stderr.write('\r\u001b[K');
  if (result.unreachable === true) {
    process.stderr.write(`faultline-probe: ${target.url} refused the connection: nothing was probed\n`);
    return 2;
  }
  if (values.sarif === true) process.stdout.write(`${JSON.stringify(toSarif(result, version()), null, 2)}\n`);
  else if (values.json === true) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${toTable(result)}\n`);
  if (result.timedOut) return 1;
  return result.findings.some((f) => atLeast(f.severity, failOn)) ? 1 : 0;
}

process.exitCode = await main();
