/**
 * The response thread's share of a recorded fault reads the thrown value's type label once: the
 * repeat check's signature, the record's `error_type` and the snapshot's top-level `type` all use
 * the label the captured fault remembered (`thrownType`), while the values it wraps are labelled
 * on their own, and every label stays what it was (a FaultError subclass keeps its name where the
 * value's label is written, `FaultError` where the error type is).
 */
import { describe, expect, it } from 'vitest';
import { CapturedInternal, thrownTypeLabel } from '../src/captured-internal.js';
import { Intake } from '../src/report/intake.js';
import type { FullItem } from '../src/report/items.js';
import { builtinDefinition, capture, createRedactor, errorSignature, FaultError } from './support/source.js';

class LedgerError extends Error {}
class UpstreamError extends Error {}
class PaymentFault extends FaultError {}

/** An error whose `constructor` reads are counted (what `typeLabel` reads first). */
function countedError(message: string, cause?: unknown): { error: LedgerError; reads: () => number } {
  const error = new LedgerError(message, cause === undefined ? undefined : { cause });
  let reads = 0;
  Object.defineProperty(error, 'constructor', {
    get() {
      reads += 1;
      return LedgerError;
    },
  });
  return { error, reads: () => reads };
}

/** The full item the response thread builds for `thrown`'s fault (a first occurrence). */
function firstItem(thrown: unknown): { item: FullItem; fault: ReturnType<typeof capture> } {
  const fault = capture(thrown);
  const intake = new Intake(createRedactor(), 60_000, 100, 10);
  const item = intake.item({ fault, ctx: undefined, attributes: undefined, time: Date.now() }, false);
  if (item?.k !== 'f') throw new Error('expected a full item');
  return { item, fault };
}

describe('the type label of a recorded fault', () => {
  it('is read once for the repeat check, the error type and the snapshot, with the same labels', () => {
    const { error, reads } = countedError('ledger 42 is locked');
    const fault = capture(error);
    const before = reads();
    const intake = new Intake(createRedactor(), 60_000, 100, 10);
    const item = intake.item({ fault, ctx: undefined, attributes: undefined, time: Date.now() }, false);
    expect(reads() - before).toBe(1);
    if (item?.k !== 'f') throw new Error('expected a full item');
    expect(item.errorType).toBe('LedgerError');
    expect(item.key).toContain('\u0000LedgerError|');
    expect((item.thrown as { e: { type: string } }).e.type).toBe('LedgerError');
    // A repeat reads it once too (the signature only).
    const { error: second, reads: secondReads } = countedError('ledger 43 is locked');
    const secondFault = capture(second);
    const captured = secondReads();
    const repeat = intake.item({ fault: secondFault, ctx: undefined, attributes: undefined, time: Date.now() }, false);
    expect(repeat?.k).toBe('r');
    expect(secondReads() - captured).toBe(1);
  });

  it('keeps a FaultError subclass apart: FaultError as the error type, its own name as the label', () => {
    const thrown = new PaymentFault(builtinDefinition('unavailable'), { cause: new UpstreamError('down') });
    const { item, fault } = firstItem(thrown);
    expect(fault.internal.errorType).toBe('FaultError');
    expect(thrownTypeLabel(fault.internal)).toBe('PaymentFault');
    expect(item.errorType).toBe('FaultError');
    expect(item.key).toContain('\u0000PaymentFault|');
    expect(item.key).toContain('>UpstreamError|');
    const snap = item.thrown as { e: { type: string; cause: { e: { type: string } } } };
    expect(snap.e.type).toBe('PaymentFault');
    expect(snap.e.cause.e.type).toBe('UpstreamError');
    // The same as the uncached paths give.
    expect(item.key.endsWith(errorSignature(thrown))).toBe(true);
    expect(createRedactor().snapshot(thrown)).toEqual(item.thrown);
    expect((fault.internal as CapturedInternal).thrownType).toBe('PaymentFault');
  });

  it('uses a given label for the top-level value only, in the signature and the snapshot', () => {
    const thrown = new LedgerError('ledger locked', { cause: new UpstreamError('down') });
    expect(errorSignature(thrown, 'Given')).toBe('Given||ledger locked>UpstreamError||down');
    expect(errorSignature(thrown)).toBe('LedgerError||ledger locked>UpstreamError||down');
    const snap = createRedactor().snapshot(thrown, 'Given') as { e: { type: string; cause: { e: { type: string } } } };
    expect(snap.e.type).toBe('Given');
    expect(snap.e.cause.e.type).toBe('UpstreamError');
    // Labels in bracketed forms of the top value too; nested ones stay their own.
    expect(createRedactor().snapshot(new Map(), 'Given')).toEqual({ l: '[Given size=0]' });
    expect(createRedactor().snapshot({ inner: new Map() }, 'Given')).toEqual({ o: { inner: { l: '[Map size=0]' } } });
  });

  it('is computed lazily and once by CapturedInternal, for any internal side by thrownTypeLabel', () => {
    const { error, reads } = countedError('x');
    const internal = new CapturedInternal(error, undefined, 'default', 'unclassified', undefined, undefined);
    expect(reads()).toBe(0);
    expect(internal.thrownType).toBe('LedgerError');
    expect(internal.errorType).toBe('LedgerError');
    expect(thrownTypeLabel(internal)).toBe('LedgerError');
    expect(reads()).toBe(1);
    const plain = { thrown: 'text', errorType: 'none', classifier: 'c', reason: 'r', source: undefined };
    expect(thrownTypeLabel({ ...plain, rejectedRequestId: undefined })).toBe('string');
  });
});
