import { describe, expect, it } from 'vitest';
import { FixedStreamTable } from '../src/fixed-stream-table.js';

/** Ids whose home slot is the same (the table hashes `id >>> 1` over 4096 slots). */
const collide = (slot: number, k: number) => ((slot + k * 4096) << 1) | 1;

/** The table's contents, compared with a Map's, order aside. */
function contents(table: FixedStreamTable<string>): [number, string][] {
  return [...table.entries()].sort((a, b) => a[0] - b[0]);
}

function expectSame(table: FixedStreamTable<string>, reference: Map<number, string>): void {
  expect(table.size).toBe(reference.size);
  expect(contents(table)).toEqual([...reference.entries()].sort((a, b) => a[0] - b[0]));
  for (const [id, value] of reference) {
    expect(table.get(id)).toBe(value);
    expect(table.has(id)).toBe(true);
  }
}

describe('FixedStreamTable (the GC diagnostic stand-in for Node stream map)', () => {
  it('behaves like a Map over a stream workload: odd ids opened in order, closed out of order', () => {
    const table = new FixedStreamTable<string>();
    const reference = new Map<number, string>();
    let next = 1;
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let step = 0; step < 20_000; step += 1) {
      if (reference.size < 50 && (reference.size === 0 || random() < 0.55)) {
        table.set(next, `s${next}`);
        reference.set(next, `s${next}`);
        next += 2;
      } else {
        const open = [...reference.keys()];
        const id = open[Math.floor(random() * open.length)] ?? 1;
        expect(table.delete(id)).toBe(true);
        reference.delete(id);
        expect(table.get(id)).toBeUndefined();
      }
      if (step % 997 === 0) expectSame(table, reference);
    }
    expectSame(table, reference);
  });

  it('keeps colliding ids findable after deletions, across the end of the table', () => {
    const table = new FixedStreamTable<string>();
    const reference = new Map<number, string>();
    // Five ids for the last slot (probing wraps to slots 0-3), then two for slot 0.
    const ids = [0, 1, 2, 3, 4].map((k) => collide(4095, k)).concat([collide(0, 1), collide(0, 2)]);
    for (const id of ids) {
      table.set(id, `s${id}`);
      reference.set(id, `s${id}`);
    }
    for (const id of [ids[1], ids[5], ids[0]]) {
      if (id === undefined) continue;
      expect(table.delete(id)).toBe(true);
      reference.delete(id);
      expectSame(table, reference);
    }
    expect(table.delete(ids[1] ?? 0)).toBe(false);
  });

  it('replaces a value in place, forEach and values see every stream, clear empties it', () => {
    const table = new FixedStreamTable<string>();
    table.set(3, 'a').set(5, 'b').set(3, 'c');
    expect(table.size).toBe(2);
    expect(table.get(3)).toBe('c');
    const seen: [string, number][] = [];
    table.forEach((value, id) => {
      seen.push([value, id]);
    });
    expect(seen.sort()).toEqual([
      ['b', 5],
      ['c', 3],
    ]);
    expect([...table.values()].sort()).toEqual(['b', 'c']);
    expect([...table.keys()].sort()).toEqual([3, 5]);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.has(3)).toBe(false);
  });
});
