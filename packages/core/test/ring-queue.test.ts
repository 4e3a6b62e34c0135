import { describe, expect, it } from 'vitest';
import { RingQueue } from './support/source.js';

describe('the reporter queue', () => {
  it('keeps FIFO order while it grows from a small ring, across wrap-arounds', () => {
    const queue = new RingQueue<number>(2000);
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps before each growth.
    for (let round = 0; round < 50; round += 1) {
      for (let i = 0; i < 30; i += 1) expect(queue.push(next++)).toBe(true);
      for (let i = 0; i < 10; i += 1) out.push(queue.shift() as number);
    }
    while (queue.size > 0) out.push(queue.shift() as number);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('refuses the item past its capacity, and takes one again once there is room', () => {
    const queue = new RingQueue<string>(100);
    for (let i = 0; i < 100; i += 1) expect(queue.push(`r${i}`)).toBe(true);
    expect(queue.full).toBe(true);
    expect(queue.push('over')).toBe(false);
    expect(queue.size).toBe(100);
    expect(queue.shift()).toBe('r0');
    expect(queue.push('again')).toBe(true);
    const rest: string[] = [];
    while (queue.size > 0) rest.push(queue.shift() as string);
    expect(rest.at(0)).toBe('r1');
    expect(rest.at(-1)).toBe('again');
    expect(queue.capacity).toBe(100);
  });
});
