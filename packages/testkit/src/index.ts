/**
 * Test helpers shared by Faultline's packages.
 * @packageDocumentation
 */
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

/** A real pino logger and the records it wrote, parsed, in order. */
export interface MemoryLog {
  readonly logger: Logger;
  readonly records: Record<string, unknown>[];
}

/** A real pino logger (level info) writing newline-delimited JSON into memory. */
export function memoryLog(): MemoryLog {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n'))
        if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), records };
}

export {
  ALWAYS_FORBIDDEN,
  CORPUS,
  type CorpusCase,
  EXTREME_DSN,
  EXTREME_FORBIDDEN,
  EXTREME_TEXT,
  EXTREME_VALUES,
  type ExpectedCategory,
  type ExtremeValue,
  extremeLeaks,
  type HttpAnswer,
  httpAnswerProblems,
  INSTRUMENTED_CASES,
  LIBRARY_FORBIDDEN,
  LIBRARY_VALUES,
  leaksIn,
  makeExtreme,
  NATIVE_FORBIDDEN,
  NATIVE_VALUES,
  type NativeValue,
  nativeHttpProblems,
  nativeLeaks,
  nativeRecordProblems,
  prepareNativeValues,
  problemsByStyle,
  REAL_WORLD_CORPORA,
  REAL_WORLD_VALUES,
  REDACTABLE_SECRET,
  ROUND10_FORGED_ID,
  ROUND10_HTTP_NAMES,
  ROUND10_HTTP_SECRET,
  ROUND10_HTTP_VALUES,
  type Round10HttpValue,
  type Round10Kit,
  recordProblems,
  round10HttpAt,
  round10HttpLeaks,
  round10Kit,
  SECRET,
  UUID_V4,
} from './corpus/index.js';
export { type CrashWatch, crashWatch } from './crashes.js';
export { JSON_API_SCHEMA, jsonApiSchemaErrors } from './jsonapi/index.js';
export { httpGetUntilCut, MIDWAY_CHUNK, streamFailingMidway } from './midway.js';
export { until } from './polling.js';
export { freePort, waitForPort } from './ports.js';
export { recordFor } from './records.js';
export { type DrainCertificates, makeDrainCertificates, type Pem, type Rsyslog, startRsyslog } from './rsyslog.js';
export { jsonKindsService, jsonMethod, rawHttpExchange } from './wire.js';
