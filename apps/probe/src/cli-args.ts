/**
 * The command line of `faultline-probe`, parsed and checked: every usage error names the value
 * that was given. An `--openapi` document is read (file, or URL on loopback unless
 * `--allow-remote`) before the run, so a bad one is a usage error too.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadBaseline } from './baseline.js';
import { SEVERITIES, type Severity } from './findings.js';
import { parseDocument } from './http/openapi.js';
import type { RunOptions } from './run.js';
import { isLoopback, parseTarget, type Target } from './target.js';

/** The usage text. */
export const USAGE = `usage: npx @faultline/probe <http(s)://host:port[/base] | grpc(s)://host:port | ws(s)://host:port[/path]>
  --json | --sarif            output format (default: table)
  --fail-on <severity>        info, low, medium (default) or high
  --baseline <previous.json>  report (and fail on) only findings not in this earlier --json report
  --openapi <file|url>        OpenAPI/Swagger document to probe (default: looked up at the usual locations)
  --path <path>               extra HTTP path to get the full probe set (repeatable)
  --grpc-method </pkg.S/M>    gRPC method to probe (repeatable; reflection and health are discovered)
  --proto <file.proto>        gRPC methods to probe, from a .proto file
  --forbidden <path>          a resource the probe may not see (existence oracle)
  --http2                     speak HTTP/2 (h2c prior knowledge on http://, ALPN h2 on https://)
  --no-discovery              probe only what the URL and the options name
  --timeout <seconds>         whole run, a hard deadline (default 60)
  --max-requests <n>          cap on requests (default 2000)
  --allow-remote              allow a non-loopback target
exit: 0 answered and clean, 1 findings at --fail-on or above (new ones with --baseline) or an
incomplete run, 2 usage error, unreachable target, or no probe answered in a readable form`;

/** The options `parseArgs` knows. */
const OPTIONS = {
  json: { type: 'boolean' },
  sarif: { type: 'boolean' },
  'fail-on': { type: 'string' },
  baseline: { type: 'string' },
  openapi: { type: 'string' },
  path: { type: 'string', multiple: true },
  'grpc-method': { type: 'string', multiple: true },
  proto: { type: 'string' },
  forbidden: { type: 'string' },
  http2: { type: 'boolean' },
  'no-discovery': { type: 'boolean' },
  timeout: { type: 'string' },
  'max-requests': { type: 'string' },
  'allow-remote': { type: 'boolean' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const;

/** A checked command line. */
export interface CliArgs {
  readonly target: Target;
  readonly format: 'table' | 'json' | 'sarif';
  readonly failOn: Severity;
  readonly baseline?: { file: string; keys: Set<string> };
  readonly options: RunOptions;
}

function number(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new Error(`${name} takes a number between ${min} and ${max}, got ${JSON.stringify(value)}`);
  return n;
}

async function readOpenApi(value: string, allowRemote: boolean): Promise<{ source: string; document: object }> {
  let text: string;
  if (/^https?:\/\//i.test(value)) {
    const url = new URL(value);
    if (!allowRemote && !isLoopback(url.hostname))
      throw new Error(
        `--openapi ${JSON.stringify(value)}: ${url.hostname} is not a loopback address (pass --allow-remote)`,
      );
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
      text = (await response.text()).slice(0, 5_000_000);
    } catch (error) {
      throw new Error(`--openapi ${JSON.stringify(value)}: cannot be fetched (${(error as Error).message})`);
    }
  } else {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw new Error(
        `--openapi ${JSON.stringify(value)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const document = parseDocument(text);
  if (document === undefined) throw new Error(`--openapi ${JSON.stringify(value)}: not an OpenAPI or Swagger document`);
  return { source: value, document };
}

/**
 * `argv` with `--option -value` written `--option=-value` for the options that take a value, so a
 * negative number reaches the check that names it instead of parseArgs' "ambiguous" error.
 */
function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const option = (OPTIONS as Record<string, { type: string }>)[arg.replace(/^--/, '')];
    if (arg.startsWith('--') && option?.type === 'string' && next?.startsWith('-') === true) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

/** Parses `argv`; `'help'` for --help, or throws an Error whose message is the usage error. */
export async function parseCli(argv: readonly string[]): Promise<CliArgs | 'help' | 'version'> {
  const { values, positionals } = parseArgs({
    args: joinDashValues(argv),
    allowPositionals: true,
    options: OPTIONS,
  });
  if (values.help === true) return 'help';
  if (values.version === true) return 'version';
  if (positionals.length !== 1)
    throw new Error(
      positionals.length === 0
        ? 'a target URL is required'
        : `one target URL, got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(' ')}`,
    );
  if (values.json === true && values.sarif === true) throw new Error('--json and --sarif exclude each other');
  const failOn = values['fail-on'] ?? 'medium';
  if (!(SEVERITIES as readonly string[]).includes(failOn))
    throw new Error(`--fail-on takes ${SEVERITIES.join(', ')}, got ${JSON.stringify(failOn)}`);
  const seconds = number('--timeout', values.timeout, 60, 1, 3600);
  const maxRequests = Math.floor(number('--max-requests', values['max-requests'], 2000, 1, 100_000));
  for (const path of [...(values.path ?? []), ...(values.forbidden === undefined ? [] : [values.forbidden])])
    if (!path.startsWith('/')) throw new Error(`a path must start with "/", got ${JSON.stringify(path)}`);
  for (const method of values['grpc-method'] ?? [])
    if (!/^\/[\w.]+\/\w+$/.test(method))
      throw new Error(`--grpc-method takes /package.Service/Method, got ${JSON.stringify(method)}`);
  const allowRemote = values['allow-remote'] === true;
  const target = parseTarget(String(positionals[0]), allowRemote);
  const openapi = values.openapi === undefined ? undefined : await readOpenApi(values.openapi, allowRemote);
  const baseline =
    values.baseline === undefined ? undefined : { file: values.baseline, keys: loadBaseline(values.baseline) };
  return {
    target,
    format: values.sarif === true ? 'sarif' : values.json === true ? 'json' : 'table',
    failOn: failOn as Severity,
    ...(baseline === undefined ? {} : { baseline }),
    options: {
      paths: values.path ?? [],
      grpcMethods: values['grpc-method'] ?? [],
      ...(values.proto === undefined ? {} : { protoFile: values.proto }),
      ...(openapi === undefined ? {} : { openapi }),
      ...(values.forbidden === undefined ? {} : { forbidden: values.forbidden }),
      http2: values.http2 === true,
      noDiscovery: values['no-discovery'] === true,
      timeoutMs: seconds * 1000,
      maxRequests,
    },
  };
}
