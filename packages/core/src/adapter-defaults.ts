/**
 * What every adapter does the same way when the user gave no options: faults are recorded to one
 * process-wide default reporter (NDJSON on stdout, which journald and container log collectors
 * take), `reporter: false` is an explicit opt-out that says so once on stderr, and the options
 * every adapter shares are checked when they are given.
 */

import { FORMAT_RULES } from './answer/format-options.js';
import type { OptionRule, OptionRules } from './options-check.js';
import { loadTelemetry } from './report/otel-api.js';
import { createReporter, Reporter } from './report/reporter.js';

let shared: Reporter | undefined;

/**
 * The process's default reporter: NDJSON to stdout, made at first use and shared by every adapter
 * (one writer, one exit flush). Adapters never close it; its exit hooks flush it.
 */
export function defaultReporter(): Reporter {
  shared ??= createReporter();
  return shared;
}

const warned = new Set<string>();

/** Writes a `FaultlineWarning` on stderr (through `process.emitWarning`) once per `code` and `where`. */
export function warnOnce(where: string, code: string, message: string): void {
  const key = `${code} ${where}`;
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(`${where}: ${message}`, { type: 'FaultlineWarning', code });
}

/**
 * The reporter an adapter records to: the one given, the shared {@link defaultReporter} when none
 * was given, or none for `reporter: false` (announced once on stderr: faults are then not recorded,
 * spans are still annotated). Every adapter asks for it as it is set up, which is when an
 * application that started its OpenTelemetry SDK first has it registered: the API is imported then
 * (`loadTelemetry`), before the first request.
 */
export function adapterReporter(where: string, option: Reporter | false | undefined): Reporter | undefined {
  void loadTelemetry();
  if (option === false) {
    warnOnce(
      where,
      'FAULTLINE_NO_REPORTER',
      'reporter: false, faults are not recorded anywhere (spans are still annotated); remove it to log NDJSON to stdout',
    );
    return undefined;
  }
  return option ?? defaultReporter();
}

/** The `reporter` option: a Reporter from `createReporter`, or `false`. */
export const REPORTER_RULE: OptionRule = {
  kind: 'custom',
  expected: 'a Reporter from createReporter(), or false',
  test: (value) => value === false || value instanceof Reporter,
};

/** The `classifiers` option: an array of `{ name, classify }` objects. */
const CLASSIFIERS_RULE: OptionRule = {
  kind: 'custom',
  expected: 'an array of classifiers ({ name: string, classify(error) })',
  test: (value) =>
    Array.isArray(value) &&
    value.every(
      (c) => typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.classify === 'function',
    ),
};

/** Options every adapter takes for incoming ids (checked in depth by `requestIdPolicy`). */
export const ID_RULES: OptionRules = {
  acceptIdVersions: { kind: 'array' },
  trustedProxies: { kind: 'array' },
};

/** Options shared by every adapter: records, classifiers, ids and the headers of HTTP answers. */
export const COMMON_RULES: OptionRules = {
  ...ID_RULES,
  reporter: REPORTER_RULE,
  classifiers: CLASSIFIERS_RULE,
  wwwAuthenticate: {
    kind: 'string',
    pattern: /^[A-Za-z][\x21-\x7e ]{0,256}$/,
    expected: 'an auth scheme such as "Bearer"',
  },
  rateLimitRetryAfter: { kind: 'integer', min: 1, max: 86_400 },
  unavailableRetryAfter: { kind: 'integer', min: 1, max: 86_400 },
};

/** Options of the HTTP adapters (Fastify, Express): {@link COMMON_RULES} plus the answer's shape. */
export const HTTP_RULES: OptionRules = {
  ...COMMON_RULES,
  ...FORMAT_RULES,
  concealForbidden: { kind: 'boolean' },
  exposeTraceId: { kind: 'boolean' },
};
