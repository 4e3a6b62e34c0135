/**
 * Repeat compaction while the worker writes (#27): a storm of several failures interleaved, each
 * with messages that differ only in their numbers, has one full record per shape and every other
 * id in a compact line naming a first occurrence the file holds in full; so do repeats reported
 * after the worker died and was replaced.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { capture, createReporter, type Reporter } from './support/source.js';

async function offThread(reporter: Reporter): Promise<void> {
  const until = Date.now() + 10_000;
  while (!reporter.stats.offThread && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(reporter.stats.offThread).toBe(true);
}

const records = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('repeats compacted by the worker (#27)', () => {
  it(`12 shapes interleaved: one full record each, the rest compacted`, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-worker-keys-')), 'w.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, workerThreshold: 0 });
    const warm = capture(new Error('written on the main thread'));
    reporter.report(warm);
    await offThread(reporter);
    const shapes = 12;
    const ids = [warm.id];
    const firstOf = new Map<string, string>();
    for (let round = 0; round < 20; round += 1) {
      for (let s = 0; s < shapes; s += 1) {
        // Messages differ in their numbers only: one shape each.
        const fault = capture(new Error(`shape ${String.fromCharCode(97 + s)} failed for user ${round * 100 + s}`));
        ids.push(fault.id);
        if (round === 0) firstOf.set(String(s), fault.id);
        reporter.report(fault);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await reporter.close();
    expect(reporter.stats).toMatchObject({ reported: 1 + shapes * 20, written: 1 + shapes, compacted: shapes * 19 });
    const lines = records(file);
    const full = lines.filter((r) => typeof r.request_id === 'string' && r.first_request_id === undefined);
    expect(new Set(full.map((r) => r.request_id))).toEqual(new Set([warm.id, ...firstOf.values()]));
    const inFile = new Set<string>();
    for (const r of lines) {
      if (typeof r.request_id === 'string') inFile.add(r.request_id);
      if (Array.isArray(r.request_ids)) for (const id of r.request_ids) inFile.add(String(id));
    }
    expect(inFile).toEqual(new Set(ids));
    // Every compact line names a first occurrence written in full.
    const firsts = new Set(full.map((r) => r.request_id));
    for (const r of lines.filter((l) => l.first_request_id !== undefined))
      expect(firsts.has(r.first_request_id)).toBe(true);
  }, 20_000);

  it('after the worker died, repeats of a shape it saw name a first occurrence the file holds in full', async () => {
    const workers: Worker[] = [];
    const onWorker = (worker: Worker) => workers.push(worker);
    process.on('worker', onWorker);
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'faultline-worker-keys-')), 'd.log');
      const reporter = createReporter({ destination: file, flushOnExit: false, workerThreshold: 0 });
      reporter.report(capture(new Error('written on the main thread')));
      await offThread(reporter);
      const same = (i: number) => capture(new Error(`charge ${i} declined`));
      for (let i = 0; i < 20; i += 1) reporter.report(same(i));
      const until = Date.now() + 10_000;
      while (reporter.stats.compacted < 19 && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 5));
      reporter.flushSync();
      await workers[0]?.terminate();
      while (workers.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(workers).toHaveLength(2);
      for (let i = 20; i < 40; i += 1) reporter.report(same(i));
      await reporter.close();
      const lines = records(file);
      const full = new Set(lines.filter((r) => r.first_request_id === undefined).map((r) => r.request_id));
      const compact = lines.filter((r) => r.first_request_id !== undefined);
      expect(compact.length).toBeGreaterThan(0);
      for (const r of compact) expect(full.has(r.first_request_id)).toBe(true);
    } finally {
      process.off('worker', onWorker);
    }
  }, 30_000);
});
