import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/redact/redactor.js';
import { attributesRedaction, attributesSnapshot } from '../src/report/attribute-cache.js';
import { capture, createReporter } from './support/source.js';

function records(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Reports `count` distinct faults (full records, no compaction) with `attributes`, after `before(i)`. */
async function recordAll(count: number, attributes: Record<string, unknown>, before: (i: number) => void) {
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-attributes-')), 'a.log');
  const reporter = createReporter({ destination: file, flushOnExit: false, dedupWindowMs: 0 });
  for (let i = 0; i < count; i += 1) {
    before(i);
    reporter.report(capture(new Error(`boom ${i}`)), { protocol: 'ws', attributes });
    // Faults of one loop iteration are taken in one turn, after the attributes changed again:
    // what is written is what they were when each fault was reported.
    await Promise.resolve();
  }
  await reporter.flush();
  return records(file).map((record) => record.attributes);
}

describe('record attributes that never change (#22: ws connection attributes)', () => {
  it('snapshots and redacts a frozen object of primitives once, and redacts it as before', () => {
    const redactor = createRedactor();
    const attributes = Object.freeze({ connection_id: 'c-1', token: 'Bearer abcdefghijklmnop' });
    const first = attributesSnapshot(attributes, redactor);
    expect(attributesSnapshot(attributes, redactor)).toBe(first);
    const redacted = attributesRedaction(first, redactor);
    expect(attributesRedaction(first, redactor)).toBe(redacted);
    expect(redacted).toEqual(redactor.redactSnapshot(redactor.snapshot(attributes)));
    expect(JSON.stringify(redacted)).not.toContain('abcdefghijklmnop');
    expect(Object.isFrozen(redacted)).toBe(true);
    // Another redactor (other options) has its own entry.
    const strict = createRedactor({ denyKeys: ['connection_id'] });
    expect(JSON.stringify(attributesRedaction(attributesSnapshot(attributes, strict), strict))).not.toContain('c-1');
  });

  it('remembers the 64 newest objects only: strong references, bounded, no weak tables', () => {
    const redactor = createRedactor();
    const first = Object.freeze({ connection_id: 'c-first' });
    const snap = attributesSnapshot(first, redactor);
    for (let i = 0; i < 63; i += 1) attributesSnapshot(Object.freeze({ connection_id: `c-${i}` }), redactor);
    expect(attributesSnapshot(first, redactor)).toBe(snap);
    for (let i = 0; i < 64; i += 1) attributesSnapshot(Object.freeze({ connection_id: `d-${i}` }), redactor);
    const again = attributesSnapshot(first, redactor);
    expect(again).not.toBe(snap);
    expect(again).toEqual(snap);
  });

  it('walks an object that can change again for every fault: a mutated value is what is written', async () => {
    const attributes: Record<string, unknown> = { connection_id: 'c-0' };
    const written = await recordAll(3, attributes, (i) => {
      attributes.connection_id = `c-${i}`;
    });
    expect(written).toEqual([{ connection_id: 'c-0' }, { connection_id: 'c-1' }, { connection_id: 'c-2' }]);
  });

  it('walks a frozen object holding an object again for every fault', async () => {
    const inner = { user: 'u-0' };
    const attributes = Object.freeze({ connection_id: 'c', inner });
    const written = await recordAll(2, attributes, (i) => {
      inner.user = `u-${i}`;
    });
    expect(written).toEqual([
      { connection_id: 'c', inner: { user: 'u-0' } },
      { connection_id: 'c', inner: { user: 'u-1' } },
    ]);
  });

  it('writes the same record for a frozen object every time, and survives a hostile one', async () => {
    const frozen = Object.freeze({ connection_id: 'c-7' });
    expect(await recordAll(3, frozen, () => undefined)).toEqual(Array(3).fill({ connection_id: 'c-7' }));
    const hostile = new Proxy(Object.freeze({ connection_id: 'c-8' }), {
      isExtensible() {
        throw new Error('trap');
      },
    });
    const written = await recordAll(2, hostile, () => undefined);
    expect(written).toHaveLength(2);
  });
});
