/**
 * The worker under pressure (#27): a destination slower for a moment makes records wait (in the
 * worker, then in the response thread's bounded queue) instead of being lost to the sink's
 * backlog bound.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../src/report/reporter.js';
import { exited } from './support/child.js';
import { idsIn, storm } from './support/reporter-files.js';

describe('a destination slower for a moment (#27)', () => {
  it('loses nothing to the backlog bound: records wait for the reader, then all arrive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-pressure-'));
    const fifo = join(dir, 'slow.fifo');
    const out = join(dir, 'out.log');
    execFileSync('mkfifo', [fifo]);
    // The reader opens the pipe (the destination is opened without blocking: it must be there
    // first), then reads nothing for 800 ms (the pipe fills), then copies it all.
    const reader = spawn('python3', [
      '-c',
      'import os,sys,time\nd=os.open(sys.argv[1],os.O_RDONLY|os.O_NONBLOCK)\nos.set_blocking(d,True)\nprint("open",flush=True)\ntime.sleep(0.8)\no=open(sys.argv[2],"wb")\nwhile True:\n  b=os.read(d,65536)\n  if not b: break\n  o.write(b)\no.close()',
      fifo,
      out,
    ]);
    await new Promise((resolve) => reader.stdout.once('data', resolve));
    const reporter = createReporter({
      destination: fifo,
      dedupWindowMs: 0,
      flushOnExit: false,
      workerThreshold: 0,
      queueSize: 4096,
      maxSinkBacklogBytes: 64 * 1024,
      shutdownTimeoutMs: 5000,
    });
    const ids = storm(reporter, 3000, 'slow');
    let turns = 0;
    while (reporter.stats.queued > 0 && turns < 2000) {
      reporter.drain(Number.POSITIVE_INFINITY, 5_000_000n);
      turns += 1;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await reporter.close();
    await exited(reader, 10_000);
    const stats = reporter.stats;
    expect(stats.offThread).toBe(true);
    expect(stats.lost).toEqual({});
    expect(stats).toMatchObject({ reported: 3000, written: 3000, droppedQueueFull: 0, droppedBacklog: 0 });
    const found = idsIn(out);
    expect(ids.filter((id) => !found.has(id))).toEqual([]);
  }, 30_000);
});
