/**
 * A sink's `pending` count: fault records whose lines it holds, neither accepted nor lost. A dead
 * reporter worker's pending records are counted `lost.worker` from it.
 */
import { describe, expect, it } from 'vitest';
import { SinkCounter } from '../src/report/sink.js';

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
