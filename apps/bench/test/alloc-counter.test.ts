import { describe, expect, it } from 'vitest';
import { AllocationCounter } from '../src/alloc-counter.js';

describe('AllocationCounter', () => {
  it('counts what was allocated, including what garbage collections freed during the count', () => {
    const counter = new AllocationCounter();
    const arrays = 200_000;
    let kept: number[] = [];
    counter.start();
    // About 35 MB of short-lived arrays: many scavenges run, and almost nothing stays alive.
    for (let i = 0; i < arrays; i += 1) kept = new Array<number>(16).fill(i);
    const bytes = counter.stop();
    expect(kept.length).toBe(16);
    // 16 elements of at least 8 bytes each, per array; at most a few headers more.
    expect(bytes).toBeGreaterThanOrEqual(arrays * 16 * 8);
    expect(bytes).toBeLessThanOrEqual(arrays * 400);
  });

  it('counts next to nothing for work that allocates nothing', () => {
    const counter = new AllocationCounter();
    let sum = 1;
    counter.start();
    // Small integers only: a sum past 2^31 would box every intermediate value on the heap.
    for (let i = 0; i < 1_000_000; i += 1) sum = (sum + i) & 0xffff;
    const bytes = counter.stop();
    expect(sum).toBeGreaterThanOrEqual(0);
    expect(bytes).toBeLessThan(256 * 1024);
  });

  it('is NaN when stopped without a start', () => {
    expect(new AllocationCounter().stop()).toBeNaN();
  });
});
