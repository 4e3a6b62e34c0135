/**
 * Records Faultline's own destination refuses because its backlog is at its bound (`lost.backlog`)
 * are drops like the queue's: the dropped-records notice must report them, and a notice the
 * stalled destination could not take must be written once it takes lines again. A real FIFO whose
 * reader stops reading for a while, on the application's thread.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { makeFifo } from './support/child.js';
import { capture, createReporter, DropNotice } from './support/source.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads what the FIFO holds for `ms`, never blocking. */
async function readFor(fd: number, ms: number): Promise<string> {
  const buffer = Buffer.alloc(1 << 20);
  let text = '';
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const n = readSync(fd, buffer);
      text += buffer.toString('utf8', 0, n);
    } catch {
      await wait(10); // EAGAIN: nothing to read now
    }
  }
  return text;
}

describe('the dropped-records notice and a destination at its backlog bound', () => {
  it('reports the records the destination refused, once the destination takes lines again', async () => {
    const fifo = makeFifo('notice');
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const reporter = createReporter({
      destination: fifo,
      dedupWindowMs: 0,
      flushOnExit: false,
      workerThreshold: Number.POSITIVE_INFINITY,
      maxSinkBacklogBytes: 128 * 1024,
      queueSize: 1000,
    });
    try {
      // The reader sleeps: the pipe fills, then the sink's backlog, then lines are refused.
      for (let burst = 0; burst < 3; burst += 1) {
        for (let i = 0; i < 1000; i += 1) reporter.report(capture(new Error(`stall ${burst} ${i} ${'q'.repeat(300)}`)));
        await wait(200);
      }
      const lostBacklog = reporter.stats.lost.backlog ?? 0;
      expect(lostBacklog).toBeGreaterThan(0);
      // The reader wakes up; the notice the full backlog refused is tried again within a second.
      const text = await readFor(reader, 2500);
      const notices = text
        .split('\n')
        .filter((line) => line.includes('"faultline_dropped"'))
        .map((line) => JSON.parse(line) as Record<string, number>);
      const stats = reporter.stats;
      const dropped = stats.droppedQueueFull + stats.droppedBacklog + (stats.lost.backlog ?? 0);
      expect(notices.length).toBeGreaterThan(0);
      expect(notices.reduce((n, notice) => n + (notice.faultline_dropped as number), 0)).toBe(dropped);
      expect(notices.at(-1)?.lost_backlog_total).toBe(stats.lost.backlog);
      const lost = Object.values(stats.lost).reduce((a, b) => a + b, 0);
      expect(stats.written + stats.droppedQueueFull + stats.droppedBacklog + lost + stats.queued).toBe(3000);
    } finally {
      await reporter.close();
      closeSync(reader);
    }
  }, 20_000);

  it('a notice the destination refused is written again by the timer, with every drop since the last one taken', () => {
    vi.useFakeTimers();
    try {
      let dropped = 0;
      let accepting = false;
      const taken: Record<string, unknown>[] = [];
      const notice = new DropNotice(
        () => ({ queueFull: dropped, backlog: 0, lostBacklog: 0 }),
        (record) => {
          if (accepting) taken.push(record);
          return accepting;
        },
      );
      dropped = 5;
      notice.write();
      expect(taken).toHaveLength(0);
      dropped = 7;
      accepting = true;
      vi.advanceTimersByTime(1000);
      expect(taken).toEqual([expect.objectContaining({ faultline_dropped: 7, dropped_queue_full_total: 7 })]);
      vi.advanceTimersByTime(5000);
      expect(taken).toHaveLength(1);
      notice.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
