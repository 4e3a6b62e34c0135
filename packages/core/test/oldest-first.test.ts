/**
 * `OldestFirst`, the bounded map behind the repeat window and the writer's fingerprints: one
 * `keys()` iterator for the map's life finds the oldest key to forget (a fresh `keys().next()`
 * per new key stepped over every deleted slot of a full map). It must forget exactly what a fresh
 * iterator would: also when the key the iterator stands before was deleted or set again by another
 * path, and after `clear`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FullItem, fullItem } from '../src/report/items.js';
import { OldestFirst, WindowedMap } from '../src/report/windows.js';
import { RecordWriter } from '../src/report/writer.js';
import { capture, createRedactor } from './support/source.js';

/** The reference: the same operations on a plain Map, the oldest found by a fresh iterator. */
class Reference<K, V> {
  readonly map = new Map<K, V>();
  constructor(readonly max: number) {}
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
}

const entries = <K, V>(map: Iterable<[K, V]>) => [...map];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('OldestFirst', () => {
  it('forgets the oldest key past max; setting a key again makes it the newest', () => {
    const map = new OldestFirst<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) map.set(key, i);
    map.set('a', 10); // a is now the newest
    map.set('d', 3);
    expect(entries(map)).toEqual([
      ['c', 2],
      ['a', 10],
      ['d', 3],
    ]);
    expect(map.get('b')).toBeUndefined();
    expect(map.size).toBe(3);
  });

  it('skips the key its iterator stands before when another path deleted it or set it again', () => {
    const map = new OldestFirst<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3); // forgets a: the iterator now stands before b
    expect(map.delete('b')).toBe(true);
    map.set('d', 4);
    map.set('e', 5); // the oldest is c, not the deleted b
    expect(entries(map)).toEqual([
      ['d', 4],
      ['e', 5],
    ]);
    map.set('d', 40); // the key the iterator stands before, set again: e is the oldest now
    map.set('f', 6);
    expect(entries(map)).toEqual([
      ['d', 40],
      ['f', 6],
    ]);
  });

  it('starts over after clear, and after its iterator ran out', () => {
    const map = new OldestFirst<number, number>(2);
    for (let i = 0; i < 5; i += 1) map.set(i, i);
    map.clear();
    expect(map.size).toBe(0);
    for (let i = 10; i < 14; i += 1) map.set(i, i);
    expect(entries(map)).toEqual([
      [12, 12],
      [13, 13],
    ]);
    // Emptied by deletes (no clear): the next evictions still find the oldest.
    map.delete(12);
    map.delete(13);
    for (let i = 20; i < 24; i += 1) map.set(i, i);
    expect(entries(map)).toEqual([
      [22, 22],
      [23, 23],
    ]);
  });

  it('keeps what a fresh keys().next() per eviction keeps, over random sets, deletes and clears', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const map = new OldestFirst<number, number>(16);
    const reference = new Reference<number, number>(16);
    for (let step = 0; step < 20_000; step += 1) {
      const roll = random(100);
      const key = random(64);
      if (roll < 70) {
        map.set(key, step);
        reference.set(key, step);
      } else if (roll < 99) {
        expect(map.delete(key)).toBe(reference.map.delete(key));
      } else {
        map.clear();
        reference.map.clear();
      }
      expect(map.size).toBe(reference.map.size);
    }
    expect(entries(map)).toEqual(entries(reference.map));
  });

  it('makes one keys() iterator for its life, not one per forgotten key (WindowedMap included)', () => {
    const keys = vi.spyOn(Map.prototype, 'keys');
    const map = new OldestFirst<number, number>(8);
    for (let i = 0; i < 1000; i += 1) map.set(i, i);
    const windowed = new WindowedMap<number>(60_000, 8);
    for (let i = 0; i < 1000; i += 1) windowed.set(`k${i}`, i, 0);
    expect(keys.mock.calls.length).toBe(2);
    expect(windowed.get('k999', 1)).toBe(999);
    expect(windowed.get('k991', 1)).toBeUndefined();
    expect(map.size).toBe(8);
  });
});

describe("the writer's fingerprints", () => {
  it('keeps the newest maxFingerprints handles with one keys() iterator', () => {
    const redactor = createRedactor();
    const output = { emit: () => true, backlog: () => 0 };
    const writer = new RecordWriter(redactor, output, { maxFingerprints: 4, maxBacklog: 1 << 20 });
    const items: FullItem[] = [];
    for (let h = 1; h <= 50; h += 1) {
      const fault = capture(new Error(`failure ${'x'.repeat(h)}`));
      items.push(fullItem(fault, undefined, undefined, h, `key ${h}`, redactor, -1));
    }
    const keys = vi.spyOn(Map.prototype, 'keys');
    for (const item of items) writer.write(item);
    const fromFingerprints = keys.mock.contexts.filter((map) => (map as Map<unknown, unknown>).has(50)).length;
    expect(writer.counts.written).toBe(50);
    expect([...writer.fingerprints].map(([handle]) => handle)).toEqual([47, 48, 49, 50]);
    expect(fromFingerprints).toBe(0);
    expect(keys.mock.calls.length).toBeLessThan(5);
  });
});
