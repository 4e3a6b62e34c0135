/**
 * Destinations pulled from under a running reporter: a log file whose directory is removed (a
 * clean-up job, a rotation that renames) or that a directory replaces, and a stdout pipe that
 * nobody reads in an application that put a stream of its own in `process.stdout`. Records must
 * not be counted written into a file nobody can read, and SIGTERM must still end the process.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathCheck } from '../src/report/fd-target.js';
import { runModule } from './support/child.js';
import { capture, createReporter, rotatingFile } from './support/source.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `request_id`s of the records in `path`. */
const idsIn = (path: string) => [...readFileSync(path, 'utf8').matchAll(/"request_id":"([^"]+)"/g)].map((m) => m[1]);

/** Reports `n` distinct faults tagged `tag`; returns their ids. */
function reportSome(reporter: ReturnType<typeof createReporter>, tag: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const fault = capture(new Error(`${tag} ${i}`));
    reporter.report(fault);
    return fault.id;
  });
}

/** A new directory path (not made yet) for a log file. */
const logDir = () => join(mkdtempSync(join(tmpdir(), 'faultline-moved-')), 'logs');

describe.skipIf(process.platform === 'win32')('reporter: a destination moved while it runs', () => {
  it('a removed directory is made again and the file opened anew; a directory in its place loses records with EISDIR', async () => {
    const every = pathCheck.everyMs;
    pathCheck.everyMs = 50;
    const dir = logDir();
    const path = join(dir, 'faults.ndjson');
    const reporter = createReporter({
      destination: path,
      workerThreshold: Number.POSITIVE_INFINITY,
      flushOnExit: false,
      dedupWindowMs: 0,
    });
    try {
      const report = (tag: string, n: number) => reportSome(reporter, tag, n);
      report('before', 3);
      await reporter.flush();
      rmSync(dir, { recursive: true });
      await wait(80);
      const after = report('after', 3);
      await reporter.flush();
      // Written into the removed file's inode, these were counted written and were nowhere.
      expect(idsIn(path)).toEqual(after);
      expect(reporter.stats.written).toBe(6);

      rmSync(path);
      mkdirSync(path);
      await wait(80);
      report('dir', 2);
      await reporter.flush();
      expect(reporter.stats.written).toBe(6);
      expect(reporter.stats.lost).toEqual({ EISDIR: 2 });
      expect(reporter.stats.destinationError).toBe('EISDIR');
    } finally {
      pathCheck.everyMs = every;
      await reporter.close();
    }
  });

  it('a rotating file whose directory is removed: a new file at its path takes the records', async () => {
    const every = pathCheck.everyMs;
    pathCheck.everyMs = 50;
    const dir = logDir();
    const path = join(dir, 'faults.ndjson');
    const reporter = createReporter({
      destination: rotatingFile({ path }),
      workerThreshold: Number.POSITIVE_INFINITY,
      flushOnExit: false,
      dedupWindowMs: 0,
    });
    try {
      reportSome(reporter, 'before', 2);
      await reporter.flush();
      expect(idsIn(path)).toHaveLength(2);
      rmSync(dir, { recursive: true });
      await wait(80);
      const after = reportSome(reporter, 'after', 3);
      await reporter.flush();
      // rotating-file-stream wrote on into the removed file until its size rotated it.
      expect(idsIn(path)).toEqual(after);
      expect(reporter.stats.written).toBe(5);
    } finally {
      pathCheck.everyMs = every;
      await reporter.close();
    }
  });

  it('process.stdout replaced by the application, stdout a pipe nobody reads: SIGTERM ends the process', async () => {
    // Records on this thread (a quiet service): its exit flush writes the full pipe synchronously.
    const source = `
      import { writeSync } from 'node:fs';
      import { Writable } from 'node:stream';
      import { capture, createReporter } from '@faultline/core';
      Object.defineProperty(process, 'stdout', { value: new Writable({ write: (c, e, done) => done() }), configurable: true });
      const reporter = createReporter({ workerThreshold: Infinity, dedupWindowMs: 0 });
      for (let i = 0; i < 2000; i += 1) reporter.report(capture(new Error('boom ' + i + ' ' + 'x'.repeat(200))));
      setInterval(() => {}, 1000);
      setTimeout(() => { writeSync(2, 'T ' + Date.now() + '\\n'); process.kill(process.pid, 'SIGTERM'); }, 100);
    `;
    const run = await runModule(source, {}, 8000, 'unread');
    // A blocking pipe held the exit flush's write until the SIGKILL.
    expect(run.signal).toBe('SIGTERM');
    expect(run.sinceMark).toBeDefined();
  }, 15_000);
});
