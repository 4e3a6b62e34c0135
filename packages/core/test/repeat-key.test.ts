/**
 * The repeat window's keys: a storm's next fault reuses the last key when its parts are the last
 * ones (no string built), and the key is always what the signature made afresh would give.
 */
import { describe, expect, it } from 'vitest';
import { thrownTypeLabel } from '../src/captured-internal.js';
import type { Fault } from '../src/fault.js';
import { RepeatWindow } from '../src/report/repeat-window.js';
import { capture, errorSignature, FaultError, typeLabel } from './support/source.js';

class LedgerError extends Error {}
class UpstreamError extends Error {}

/** The key as it was made before keys were remembered. */
const freshKey = (fault: Fault): string =>
  `${fault.code}\u0000${fault.internal.reason}\u0000${errorSignature(fault.internal.thrown, thrownTypeLabel(fault.internal))}`;

describe('repeat keys', () => {
  it('are the key made afresh, for faults of a few shapes in any order', () => {
    const makers: (() => unknown)[] = [
      () => new LedgerError('ledger 41 locked'),
      () => new LedgerError('ledger 42 locked'), // same shape as the one before
      () => new LedgerError('ledger "x" locked', { cause: new UpstreamError('down') }),
      () => new LedgerError('ledger "y" locked', { cause: new TypeError('down') }), // another wrapped type
      () => Object.assign(new UpstreamError('refused'), { code: 'ECONNREFUSED' }),
      () => Object.assign(new UpstreamError('refused'), { code: 'ETIMEDOUT' }),
      () => Object.assign(new UpstreamError('refused'), { code: 503 }),
      () => 'a thrown string 7',
      () => FaultError.of('validation'),
      () => FaultError.of('not_found'),
    ];
    const window = new RepeatWindow(60_000, 100);
    // Every ordered pair next to each other: shapes that differ in one part only meet.
    for (const a of makers) {
      for (const b of makers) {
        for (const make of [a, b, b, a]) {
          const fault = capture(make());
          expect(window.observe(fault, 0).key).toBe(freshKey(fault));
        }
      }
    }
    let seed = 7;
    for (let i = 0; i < 600; i += 1) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      // Runs of the same maker (a storm), then a switch.
      const maker = makers[Math.floor(seed / 1000) % makers.length] as () => unknown;
      for (let run = seed % 4; run >= 0; run -= 1) {
        const fault = capture(maker());
        expect(window.observe(fault, 0).key).toBe(freshKey(fault));
      }
    }
  });

  it('give a repeat the first id of its key, and a different shape a key of its own', () => {
    const window = new RepeatWindow(60_000, 100);
    const first = capture(new LedgerError('ledger 1 locked'));
    const firstVerdict = window.observe(first, 0);
    expect(firstVerdict.firstId).toBeUndefined();
    const again = window.observe(capture(new LedgerError('ledger 2 locked')), 1);
    expect(again).toEqual({ key: firstVerdict.key, handle: firstVerdict.handle, firstId: first.id });
    const wrapped = window.observe(capture(new LedgerError('ledger 3 locked', { cause: new UpstreamError('x') })), 2);
    expect(wrapped.firstId).toBeUndefined();
    expect(wrapped.key).not.toBe(firstVerdict.key);
    // Back to the first shape: found in the window again.
    expect(window.observe(capture(new LedgerError('ledger 4 locked')), 3).firstId).toBe(first.id);
  });

  it('stay right when a getter of the thrown value makes another key meanwhile', () => {
    const window = new RepeatWindow(60_000, 100);
    const inner = capture(new UpstreamError('inner 1'));
    let innerKey = '';
    const hostile = new LedgerError('outer');
    let armed = false;
    Object.defineProperty(hostile, 'message', {
      get() {
        if (armed) innerKey = window.observe(inner, 0).key;
        return 'outer 9';
      },
    });
    const outer = capture(hostile);
    // Only while the window reads it (capture reads the message too).
    armed = true;
    const outerKey = window.observe(outer, 0).key;
    armed = false;
    expect(innerKey).toBe(freshKey(inner));
    expect(outerKey).toBe(`${outer.code}\u0000${outer.internal.reason}\u0000LedgerError||outer 0`);
    // What the window remembers is the outer key's parts, not the inner's.
    const next = capture(new LedgerError('outer 10'));
    expect(window.observe(next, 0).key).toBe(freshKey(next));
  });
});

describe('type labels', () => {
  it('follow each value in turn, identifier or not', () => {
    function Named() {}
    Object.defineProperty(Named, 'name', { value: 'not an identifier' });
    const odd = Object.create(Named.prototype) as object;
    const oddNamed = Object.assign(Object.create(Named.prototype) as object, { name: 'Custom_1' });
    const values: [unknown, string][] = [
      [new LedgerError('x'), 'LedgerError'],
      [odd, 'Object'],
      [new LedgerError('y'), 'LedgerError'],
      [oddNamed, 'Custom_1'],
      [Object.assign(new Error('z'), { name: 'bad name' }), 'Error'],
      [new UpstreamError('w'), 'UpstreamError'],
    ];
    for (let round = 0; round < 3; round += 1) {
      for (const [value, label] of values) expect(typeLabel(value)).toBe(label);
    }
  });
});
