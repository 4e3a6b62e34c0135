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

export { ALWAYS_FORBIDDEN, CORPUS, type CorpusCase, type ExpectedCategory, leaksIn, SECRET } from './corpus/index.js';
