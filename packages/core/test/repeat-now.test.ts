/**
 * A repeat reported while nothing waits in the queue is batched at once (no item queued, no
 * turn), and only then: a repeat behind a queued fault waits its turn, so records keep their
 * order, and the compact lines list the same ids either way.
 */
import { randomUUID } from 'node:crypto';
import { memoryLog } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { capture, createReporter } from './support/source.js';

/** A fault thrown from one site: every one after the first repeats it. */
const fault = (message = 'upstream refused the call') => capture(new Error(message), { requestId: randomUUID() });

/**
 * A reporter writing to a logger passed in: through one, a repeat counts as compacted once it is
 * batched, so `compacted` tells a batched repeat from a queued one.
 */
function loggerReporter() {
  const { logger, records } = memoryLog();
  const reporter = createReporter({ logger, flushOnExit: false, dedupWindowMs: 60_000 });
  return { reporter, lines: () => records };
}

describe('repeats batched as they are reported', () => {
  it('batches a repeat of a written record at once, and lists it with the later ones', async () => {
    const { reporter, lines: linesOf } = loggerReporter();
    const first = fault();
    reporter.report(first, { protocol: 'http', method: 'GET', route: '/a' });
    await reporter.flush();
    const later = [fault(), fault(), fault()];
    for (const repeat of later) reporter.report(repeat, { protocol: 'http', method: 'GET', route: '/a' });
    // Counted before any turn could run.
    expect(reporter.stats).toMatchObject({ reported: 4, written: 1, compacted: 3, queued: 0 });
    await reporter.flush();
    const lines = linesOf();
    expect(lines.map((line) => line.request_id ?? line.request_ids)).toEqual([
      first.id,
      later.map((repeat) => repeat.id),
    ]);
    expect(lines[1]).toMatchObject({ first_request_id: first.id, repeats: 3, route: '/a' });
    expect(reporter.stats).toMatchObject({ reported: 4, written: 1, compacted: 3, queued: 0 });
  });

  it('queues a repeat while a fault waits, so the first occurrence is written first', async () => {
    const { reporter, lines: linesOf } = loggerReporter();
    const first = fault('refused by a second site');
    const repeat = fault('refused by a second site');
    reporter.report(first, { protocol: 'http' });
    reporter.report(repeat, { protocol: 'http' });
    expect(reporter.stats).toMatchObject({ reported: 2, compacted: 0, queued: 2 });
    await reporter.flush();
    const lines = linesOf();
    expect(lines[0]?.request_id).toBe(first.id);
    expect(lines[1]).toMatchObject({ first_request_id: first.id, request_ids: [repeat.id] });
    // Its fingerprint is the first occurrence's, never 'unknown'.
    expect(lines[1]?.fingerprint).toBe(lines[0]?.fingerprint);
  });

  it('writes a new failure in full even while nothing waits', async () => {
    const { reporter, lines: linesOf } = loggerReporter();
    reporter.report(fault(), { protocol: 'http' });
    await reporter.flush();
    const other = fault('a failure of another kind');
    reporter.report(other, { protocol: 'http' });
    expect(reporter.stats).toMatchObject({ compacted: 0, queued: 1 });
    await reporter.flush();
    expect(linesOf()[1]).toMatchObject({ request_id: other.id });
  });
});
