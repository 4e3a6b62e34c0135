/**
 * Helpers of the hostile-input tests: faults written by a real reporter to a temporary file, on
 * the response thread or on the worker thread, and the NDJSON read back.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, createReporter, type RedactionOptions, type ReporterStats, recordFault } from './source.js';

/** Where records are redacted and written. */
export type Thread = 'main' | 'worker';

/** Both threads, for `describe.each`. */
export const THREADS: readonly Thread[] = ['main', 'worker'];

/** One fault to report: the thrown value, and the record attributes an adapter would pass. */
export interface HostileFault {
  readonly thrown: unknown;
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** The incoming request id the fault is captured with (a value that is no UUID is refused and logged). */
  readonly requestId?: unknown;
}

/** What the file holds after the reporter closed. */
export interface Written {
  /** Every line of the file, as written. */
  readonly lines: readonly string[];
  /** Each reported fault's record (by the order of `faults`), `undefined` when none has its id. */
  readonly records: readonly (Record<string, unknown> | undefined)[];
  /** Each record's line. */
  readonly recordLines: readonly (string | undefined)[];
  readonly stats: ReporterStats;
}

async function offThread(reporter: ReturnType<typeof createReporter>): Promise<void> {
  // The first record starts the worker (workerThreshold 0); it is written on this thread.
  reporter.report(capture(new Error('starts the worker')));
  const until = Date.now() + 10_000;
  while (!reporter.stats.offThread && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!reporter.stats.offThread) throw new Error('the worker did not start');
}

/** Reports `faults` (in full: no repeat window) on `thread`, closes the reporter and reads the file. */
export async function writeFaults(
  thread: Thread,
  faults: readonly HostileFault[],
  redaction?: RedactionOptions,
): Promise<Written> {
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-hostile-')), 'records.log');
  const reporter = createReporter({
    destination: file,
    dedupWindowMs: 0,
    flushOnExit: false,
    queueSize: 65_536,
    workerThreshold: thread === 'worker' ? 0 : Number.POSITIVE_INFINITY,
    ...(redaction === undefined ? {} : { redaction }),
  });
  if (thread === 'worker') await offThread(reporter);
  const ids: string[] = [];
  for (const { thrown, attributes, requestId } of faults) {
    const fault = capture(thrown, requestId === undefined ? undefined : { requestId });
    ids.push(fault.id);
    if (attributes === undefined) reporter.report(fault);
    else recordFault(fault, { protocol: 'http', reporter, method: 'POST', route: '/orders', attributes });
  }
  await reporter.close();
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const byId = new Map<string, { record: Record<string, unknown>; line: string }>();
  for (const line of lines) {
    const record = JSON.parse(line) as Record<string, unknown>;
    if (typeof record.request_id === 'string') byId.set(record.request_id, { record, line });
  }
  return {
    lines,
    records: ids.map((id) => byId.get(id)?.record),
    recordLines: ids.map((id) => byId.get(id)?.line),
    stats: reporter.stats,
  };
}

/** `reported` minus everything accounted for: written, compacted, dropped or lost (0 when the counts balance). */
export function unaccounted(stats: ReporterStats): number {
  const lost = Object.values(stats.lost).reduce((sum, n) => sum + n, 0);
  return stats.reported - stats.written - stats.compacted - stats.droppedQueueFull - stats.droppedBacklog - lost;
}
