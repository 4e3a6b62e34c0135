/**
 * The hand-over of the destination to the worker waits (bounded) until this thread's sink holds
 * nothing. It must never hold the event loop while it waits: a sink that answers `drained` at once
 * yet still counts lines pending (a closed fd sink whose last write is settling) made it a loop of
 * promises for 30 s, and a SIGTERM's bounded shutdown, which runs on timers, never ended the
 * process (seen as a rare hang of reporter-fifo.test.ts under load).
 */
import { describe, expect, it } from 'vitest';
import { handedOver, writeSettled } from '../src/report/handover-wait.js';
import type { Sink, SinkCounts } from '../src/report/sink.js';

/** A sink that is never busy (`drained` answers at once) and holds `pending()` lines. */
function stuckSink(pending: () => number): Sink {
  return {
    write: () => true,
    tagNext: () => {},
    backlogBytes: 0,
    get counts(): SinkCounts {
      return { accepted: { full: 0, compact: 0, notice: 0 }, lost: {}, backlogBytes: 0, pending: pending() };
    },
    openError: undefined,
    flushSync: () => {},
    drained: () => Promise.resolve(),
    close: () => {},
  };
}

/** Milliseconds until a 5 ms timer fires (while a hand-over waits). */
async function timerDelay(): Promise<number> {
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 5));
  return performance.now() - started;
}

describe('the hand-over wait', () => {
  it('leaves the event loop free while the sink still holds lines, and ends once released', async () => {
    let released = false;
    const waiting = handedOver(
      stuckSink(() => 1),
      1000,
      () => released,
    );
    // Before: the 5 ms timer fired only after 30 s of promise turns.
    expect(await timerDelay()).toBeLessThan(1000);
    released = true;
    const ended = await Promise.race([
      waiting.then(() => 'ended'),
      new Promise((resolve) => setTimeout(resolve, 1000, 'still waiting')),
    ]);
    expect(ended).toBe('ended');
  });

  it('ends once the sink holds nothing', async () => {
    let pending = 3;
    const waiting = handedOver(
      stuckSink(() => pending),
      1000,
      () => false,
    );
    expect(await timerDelay()).toBeLessThan(1000);
    pending = 0;
    const ended = await Promise.race([
      waiting.then(() => 'ended'),
      new Promise((resolve) => setTimeout(resolve, 1000, 'still waiting')),
    ]);
    expect(ended).toBe('ended');
  });
});

describe('the wait for a write under way', () => {
  it('ends once the sink stops writing, or once released', async () => {
    let writing = true;
    const sink = Object.defineProperty(
      stuckSink(() => 0),
      'writing',
      { get: () => writing },
    );
    const settled = writeSettled(sink, 5000, () => false);
    expect(await timerDelay()).toBeLessThan(1000);
    writing = false;
    const ended = await Promise.race([
      settled.then(() => 'ended'),
      new Promise((resolve) => setTimeout(resolve, 1000, 'still waiting')),
    ]);
    expect(ended).toBe('ended');
    writing = true;
    let released = false;
    const waiting = writeSettled(sink, 5000, () => released);
    released = true;
    const left = await Promise.race([
      waiting.then(() => 'ended'),
      new Promise((resolve) => setTimeout(resolve, 1000, 'still waiting')),
    ]);
    expect(left).toBe('ended');
  });
});
