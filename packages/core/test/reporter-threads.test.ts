/**
 * The reporter across threads and at exit: records written by the worker thread are all in the
 * file with truthful counts; a compacted repeat written at exit is not called lost (#28 item 8);
 * heavy modules load only when their drain is used (#21); a multi-line message does not become
 * stack frames (#28 item 7).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryLog } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { drained } from './support/child.js';
import { capture, createReporter, type ReporterStats } from './support/source.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args);
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    proc.on('exit', (code) => void drained([proc.stdout, proc.stderr]).then(() => resolve({ code, stdout, stderr })));
  });
}

const fileRecords = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('reporter on a worker thread', () => {
  it('writes every distinct record through the worker; written is what the worker confirmed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-worker-')), 'w.log');
    const reporter = createReporter({ destination: file, dedupWindowMs: 0, flushOnExit: false, workerThreshold: 0 });
    const ids: string[] = [];
    const first = capture(new Error('the first, written on the main thread while the worker boots'));
    ids.push(first.id);
    reporter.report(first);
    const until = Date.now() + 10_000;
    while (!reporter.stats.offThread && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    for (let i = 0; i < 3000; i += 1) {
      const fault = capture(new Error(`user ${i} alice${i}@example.com failed`));
      ids.push(fault.id);
      reporter.report(fault);
    }
    await reporter.close();
    const stats = reporter.stats;
    expect(stats.offThread).toBe(true);
    expect(stats).toMatchObject({ reported: 3001, written: 3001, inFlight: 0, droppedQueueFull: 0 });
    const records = fileRecords(file);
    expect(new Set(records.map((r) => r.request_id))).toEqual(new Set(ids));
    expect(readFileSync(file, 'utf8')).not.toContain('@example.com');
  }, 20_000);

  it('compacts repeats on the worker too, with the fingerprint the main thread computed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-worker-')), 'w.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, workerThreshold: 0 });
    const site = () => capture(new Error('same'));
    reporter.report(site());
    const until = Date.now() + 10_000;
    while (!reporter.stats.offThread && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reporter.stats.offThread).toBe(true);
    for (let i = 1; i < 50; i += 1) reporter.report(site());
    await reporter.close();
    expect(reporter.stats).toMatchObject({ written: 1, compacted: 49 });
    const compact = fileRecords(file).filter((r) => r.first_request_id !== undefined);
    expect(compact[0]?.repeats).toBe(49);
  }, 20_000);
});

describe('counts at exit (#28 item 8)', () => {
  it('20 repeats then process.exit(0): all 20 ids in the file and none counted lost', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-exit-')), 'r.log');
    const { stderr } = await run([fixture('repeat-exit-child.mjs'), file]);
    const { stats, ids } = JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as {
      stats: ReporterStats;
      ids: string[];
    };
    const text = readFileSync(file, 'utf8');
    for (const id of ids) expect(text).toContain(id);
    expect(stats.lost).toEqual({});
    expect(stats.written + stats.compacted).toBe(20);
  }, 15_000);
});

describe('heavy parts load only when used (#21)', () => {
  it('importing core and reporting to a file loads neither node:tls nor rotating-file-stream', async () => {
    const idle = await run([fixture('load-list-child.mjs')]);
    expect(JSON.parse(idle.stdout)).toEqual({ tls: false, rfs: false });
    const used = await run([fixture('load-list-child.mjs'), 'use', mkdtempSync(join(tmpdir(), 'faultline-ll-'))]);
    expect(JSON.parse(used.stdout)).toEqual({ tls: true, rfs: true });
  }, 15_000);
});

describe('messages and stacks apart (#28 item 7)', () => {
  it('a message with newlines stays in `message`; the stack holds only the header line and real frames', async () => {
    const log = memoryLog();
    const reporter = createReporter({ logger: log.logger, flushOnExit: false });
    const lines = Array.from({ length: 20 }, (_, i) => `  at path.field${i} (expected string)`).join('\n');
    reporter.report(capture(new Error(`validation failed\n${lines}`)));
    await reporter.flush();
    const error = log.records[0]?.error as { message: string; stack: string[] };
    expect(error.message).toContain('path.field19');
    expect(error.stack[0]).toBe('Error: validation failed …');
    expect(error.stack.length).toBeGreaterThan(1);
    expect(error.stack.slice(1).every((frame) => frame.startsWith('at '))).toBe(true);
    expect(error.stack.join('\n')).not.toContain('path.field');
  });
});
