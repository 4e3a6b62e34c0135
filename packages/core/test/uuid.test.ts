import { describe, expect, it } from 'vitest';
import { isAcceptedId, newCorrelationId } from '../src/correlation.js';
import { newUuid } from '../src/uuid.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('new ids (#22: one flat string per id on Node 20 and 22)', () => {
  it('makes canonical lower-case UUID v4s the default id policy accepts, across pool refills', () => {
    // 256 ids per pool of random bytes: 2,000 cross several refills.
    const ids = Array.from({ length: 2000 }, () => newCorrelationId());
    for (const id of ids) {
      expect(id).toMatch(V4);
      expect(isAcceptedId(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('returns a string of its own each time, not a view that the next id overwrites', () => {
    const first = newUuid();
    const copy = `${first}`;
    newUuid();
    expect(first).toBe(copy);
  });

  it('spreads every random hex digit evenly (no stuck or biased position)', () => {
    const counts = Array.from({ length: 36 }, () => new Map<string, number>());
    const n = 16_000;
    for (let i = 0; i < n; i += 1) {
      const id = newUuid();
      for (let at = 0; at < 36; at += 1) {
        const seen = counts[at] as Map<string, number>;
        seen.set(id[at] as string, (seen.get(id[at] as string) ?? 0) + 1);
      }
    }
    for (let at = 0; at < 36; at += 1) {
      const seen = counts[at] as Map<string, number>;
      const fixed = [8, 13, 18, 23, 14].includes(at);
      const expected = at === 19 ? 4 : fixed ? 1 : 16;
      expect(seen.size, `position ${at}`).toBe(expected);
      // Each of the free positions' values within 25% of its share (16,000 / 16 = 1,000 each).
      if (!fixed)
        for (const count of seen.values()) expect(Math.abs(count - n / expected)).toBeLessThan(n / expected / 4);
    }
  });
});

describe('the id made last (#22: its checks skipped by a comparison)', () => {
  it('is the id newUuid made or resolveCorrelationId accepted last, and nothing else', async () => {
    const { isLastCanonical } = await import('../src/uuid.js');
    const { resolveCorrelationId } = await import('../src/correlation.js');
    const made = newUuid();
    expect(isLastCanonical(made)).toBe(true);
    expect(isLastCanonical(`${made.slice(0, 35)}"`)).toBe(false);
    expect(isLastCanonical('')).toBe(false);
    const incoming = '0F4B7C1E-2D3A-4B5C-8D6E-7F8091A2B3C4';
    const { id } = resolveCorrelationId(incoming);
    expect(id).toBe(incoming.toLowerCase());
    expect(isLastCanonical(id)).toBe(true);
    expect(isLastCanonical(made)).toBe(false);
    // A refused id is never marked: the id made in its place is.
    const refused = resolveCorrelationId('"><script>');
    expect(isLastCanonical('"><script>')).toBe(false);
    expect(isLastCanonical(refused.id)).toBe(true);
  });

  it('never lets an id that is not the last one past the JSON checks', async () => {
    const { idLiteral } = await import('../src/answer/templates.js');
    const { JsonList } = await import('../src/report/json-list.js');
    newUuid();
    const hostile = 'a"b\\c\u2028d-0000-0000-0000-000000000000'.slice(0, 36);
    expect(JSON.parse(`"${idLiteral(hostile)}"`)).toBe(hostile);
    const list = new JsonList();
    const made = newUuid();
    list.pushString(made);
    list.pushString(hostile);
    expect(JSON.parse(list.json())).toEqual([made, hostile]);
  });
});
