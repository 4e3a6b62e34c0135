/**
 * A turn's time on the response thread (#27): hand-over turns are short while the queue is short
 * (they add to the loop's delay) and grow as it fills (a cold or booting storm must not drop);
 * turns that write here keep the slice, up to four times it.
 */
import { describe, expect, it } from 'vitest';
import type { Offload } from '../src/report/offload.js';
import { RingQueue } from '../src/report/ring-queue.js';
import { type TurnParts, Turns } from '../src/report/turns.js';

const MS = 1_000_000;

function turns(fill: number, canMove: boolean): Turns {
  const queue = new RingQueue<unknown>(1000);
  for (let i = 0; i < fill; i += 1) queue.push(i);
  const offload = { started: undefined, possible: canMove } as unknown as Offload;
  return new Turns({ queue, offload, sliceNs: 4 * MS } as unknown as TurnParts);
}

describe('turn budget', () => {
  it('hands over in a quarter of the slice when the queue is empty, twice the slice when full', () => {
    expect(turns(0, true).budget()).toBe(1 * MS);
    expect(turns(500, true).budget()).toBe(4 * MS + MS / 2);
    expect(turns(1000, true).budget()).toBe(8 * MS);
  });

  it('writes here for the slice when the queue is empty, four times it when full', () => {
    expect(turns(0, false).budget()).toBe(4 * MS);
    expect(turns(1000, false).budget()).toBe(16 * MS);
  });
});
