/**
 * A sink's `pending` count: fault records whose lines it holds, neither accepted nor lost. A dead
 * reporter worker's pending records are counted `lost.worker` from it; on the application's
 * thread they are `queued`, with the repeats batched for a compact line, so the counts add up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture } from '../src/capture.js';
import { createReporter } from '../src/report/reporter.js';
import { SinkCounter } from '../src/report/sink-counter.js';

describe('SinkCounter pending', () => {
  it('counts a line from the moment it is made until it is accepted or lost', () => {
    const counter = new SinkCounter();
    const full = counter.line(Buffer.from('a\n'));
    counter.tag('compact', 40);
    const compact = counter.line(Buffer.from('b\n'));
    counter.tag('notice');
    const notice = counter.line(Buffer.from('c\n'));
    expect(counter.snapshot(0).pending).toBe(41);
    counter.accept(notice);
    expect(counter.snapshot(0).pending).toBe(41);
    counter.accept(full);
    counter.lose(compact, 'ENOSPC');
    expect(counter.snapshot(0)).toMatchObject({ pending: 0, accepted: { full: 1, notice: 1 }, lost: { ENOSPC: 40 } });
  });

  it('a provisional loss taken back is pending again until its write settles', () => {
    const counter = new SinkCounter();
    const line = counter.line(Buffer.from('a\n'));
    counter.lose(line, 'unconfirmed');
    expect(counter.snapshot(0)).toMatchObject({ pending: 0, lost: { unconfirmed: 1 } });
    counter.lose(line, 'unconfirmed', -1);
    expect(counter.snapshot(0)).toMatchObject({ pending: 1, lost: {} });
    counter.accept(line);
    expect(counter.snapshot(0)).toMatchObject({ pending: 0, accepted: { full: 1 } });
  });
});

describe('stats on the application thread', () => {
  it('count batched repeats and unwritten lines as queued: every reported record is somewhere', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-queued-')), 'q.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, workerThreshold: 1_000_000 });
    for (let i = 0; i < 100; i += 1) reporter.report(capture(new Error(`order ${i} could not be paid`)));
    reporter.drain(Number.POSITIVE_INFINITY, 1_000_000_000n);
    const sum = (s: typeof reporter.stats) =>
      s.written +
      s.compacted +
      s.droppedQueueFull +
      s.droppedBacklog +
      s.queued +
      s.inFlight +
      Object.values(s.lost).reduce((a, b) => a + b, 0);
    // The full record's line is not written yet; 99 repeats wait for their compact line.
    expect(reporter.stats).toMatchObject({ reported: 100, offThread: false, queued: 100 });
    expect(sum(reporter.stats)).toBe(100);
    await reporter.close();
    expect(reporter.stats).toMatchObject({ written: 1, compacted: 99, queued: 0 });
    expect(sum(reporter.stats)).toBe(100);
  });
});
