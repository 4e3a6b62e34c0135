/**
 * The reporter's and the drains' options, checked when they are given (`createReporter`,
 * `rotatingFile`, `syslogTls`): a wrong value throws an `OptionsError` naming the option, the
 * value and what is allowed, instead of failing silently at the first record.
 */
import type { OptionRule, OptionRules } from '../options-check.js';

const MS = (max: number): OptionRule => ({ kind: 'integer', min: 0, max });
const BYTES: OptionRule = { kind: 'integer', min: 1, max: 2 ** 40 };
const PEM: OptionRule = {
  kind: 'custom',
  expected: 'a PEM string or Buffer',
  test: (value) => (typeof value === 'string' && value.length > 0) || Buffer.isBuffer(value),
};

/** Options of `createReporter`. */
export const REPORTER_RULES: OptionRules = {
  logger: {
    kind: 'custom',
    expected: 'a pino-like logger with error() and warn()',
    test: (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { error?: unknown }).error === 'function' &&
      typeof (value as { warn?: unknown }).warn === 'function',
  },
  destination: {
    kind: 'custom',
    expected: 'a file path, a file descriptor, a Sink (rotatingFile(), syslogTls()) or a writable stream',
    test: (value) =>
      (typeof value === 'string' && value.length > 0) ||
      (Number.isInteger(value) && (value as number) >= 0) ||
      (typeof value === 'object' && value !== null && typeof (value as { write?: unknown }).write === 'function'),
  },
  queueSize: { kind: 'integer', min: 1, max: 1_048_576 },
  overflow: { kind: 'oneOf', values: ['drop-newest', 'drop-oldest'] },
  batchSize: { kind: 'integer', min: 1, max: 65_536 },
  sliceMs: { kind: 'number', min: 0.1, max: 1000 },
  dedupWindowMs: MS(86_400_000),
  maxFingerprints: { kind: 'integer', min: 1, max: 1_000_000 },
  maxSinkBacklogBytes: BYTES,
  redaction: {
    kind: 'custom',
    expected: 'redaction options (an object)',
    test: (v) => typeof v === 'object' && v !== null,
  },
  otelLogs: { kind: 'boolean' },
  flushOnExit: { kind: 'boolean' },
  shutdownTimeoutMs: MS(60_000),
  fallbackDestination: {
    kind: 'custom',
    expected: 'a file path or a file descriptor',
    test: (value) =>
      (typeof value === 'string' && value.length > 0) || (Number.isInteger(value) && (value as number) >= 0),
  },
  workerThreshold: { kind: 'number', min: 0, max: Number.POSITIVE_INFINITY },
};

/** Options of `rotatingFile`. */
export const ROTATING_FILE_RULES: OptionRules = {
  path: { kind: 'string', pattern: /^[^\0]+$/, expected: 'a non-empty file path' },
  maxFileBytes: BYTES,
  maxFiles: { kind: 'integer', min: 1, max: 10_000 },
  maxTotalBytes: BYTES,
  maxBacklogBytes: BYTES,
};

/** Options of `syslogTls`. */
export const SYSLOG_TLS_RULES: OptionRules = {
  host: { kind: 'string', pattern: /^[A-Za-z0-9.:[\]-]{1,253}$/, expected: 'a host name or IP address' },
  port: { kind: 'integer', min: 1, max: 65_535 },
  ca: PEM,
  cert: PEM,
  key: PEM,
  servername: { kind: 'string', pattern: /^[A-Za-z0-9.-]{1,253}$/, expected: 'a host name' },
  appName: { kind: 'string', pattern: /^[\x21-\x7e]{1,48}$/, expected: 'printable ASCII, at most 48 characters' },
  facility: { kind: 'integer', min: 0, max: 23 },
  maxMessageBytes: { kind: 'integer', min: 480, max: 16_777_216 },
  maxBacklogBytes: BYTES,
  connectTimeoutMs: MS(600_000),
  handshakeGraceMs: MS(60_000),
  minBackoffMs: MS(600_000),
  maxBackoffMs: MS(3_600_000),
  allowTls12: { kind: 'boolean' },
};
