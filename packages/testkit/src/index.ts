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
  type ExpectedCategory,
  INSTRUMENTED_CASES,
  leaksIn,
  SECRET,
} from './corpus/index.js';
export {
  type DrainCertificates,
  freePort,
  makeDrainCertificates,
  type Pem,
  type Rsyslog,
  startRsyslog,
  waitForPort,
} from './rsyslog.js';

/**
 * The log line that carries `id`: its full record, or the compact repeat line listing it (merged
 * with that id's own context entry, if any). `undefined` when no line carries it.
 */
export function recordFor(
  records: readonly Record<string, unknown>[],
  id: unknown,
): Record<string, unknown> | undefined {
  const full = records.find((r) => r.request_id === id);
  if (full !== undefined) return full;
  const compact = records.find((r) => Array.isArray(r.request_ids) && (r.request_ids as unknown[]).includes(id));
  if (compact === undefined) return undefined;
  const contexts = Array.isArray(compact.contexts) ? (compact.contexts as Record<string, unknown>[]) : [];
  const own = contexts.find((c) => c.request_id === id) ?? {};
  return { ...compact, ...own, request_id: id };
}
export { JSON_API_SCHEMA, jsonApiSchemaErrors } from './jsonapi/index.js';
export { until } from './polling.js';
export { jsonMethod, rawHttpExchange } from './wire.js';
