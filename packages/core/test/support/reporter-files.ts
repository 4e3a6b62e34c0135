/**
 * Helpers of the reporter tests that write to a file: the ids a file holds, and a storm of
 * distinct faults.
 */
import { readFileSync } from 'node:fs';
import { capture } from '../../src/capture.js';
import type { Reporter } from '../../src/report/reporter.js';

/** Every fault id in an NDJSON file: full records' `request_id` and compacted repeats' `request_ids`. */
export function idsIn(file: string): Set<string> {
  const ids = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as { request_id?: string; request_ids?: string[] };
    if (record.request_id !== undefined) ids.add(record.request_id);
    for (const id of record.request_ids ?? []) ids.add(id);
  }
  return ids;
}

/** Reports `count` faults whose messages all differ in their words; returns their ids. */
export function storm(reporter: Reporter, count: number, tag: string): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const fault = capture(new Error(`${tag} user ${i.toString(36)} could not ${'x'.repeat(i % 7)} pay`));
    ids.push(fault.id);
    reporter.report(fault);
  }
  return ids;
}
