/**
 * What an error keeps in a Set, a Map or under a symbol reaches the record, redacted:
 * - MongoDB's `MongoServerError` keeps its labels in a Set (`errorLabelSet`, the `errorLabels`
 *   getter's source): the record said `[Set size=1]`;
 * - an `errors` field that is a Set or a Map (failures a library collects) lost its content;
 * - own symbol-keyed fields (older MongoDB drivers' `Symbol(errorLabels)`, state libraries keep
 *   under symbols) were not in the record at all; a symbol brand (undici's, `true`) stays out.
 *   Only a library class's instances are asked (collections.ts: the question is costly).
 */
import { MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createRedactor } from './support/source.js';

const redactor = createRedactor();
type Record = { [key: string]: unknown };

describe("an error's Set and Map fields", () => {
  it("MongoDB's error labels and validation details reach the record, user values redacted", () => {
    const thrown = new MongoServerError({
      message: 'Document failed validation',
      code: 121,
      codeName: 'DocumentValidationFailure',
      errorLabels: ['TransientTransactionError'],
      errInfo: { failingDocumentId: 7, details: { operatorName: '$jsonSchema', consideredValue: 'ann@example.com' } },
    });
    const out = redactor.redact(thrown) as Record;
    expect(out.errorLabelSet).toEqual(['TransientTransactionError']);
    expect(out.codeName).toBe('DocumentValidationFailure');
    expect(out.errInfo).toEqual({
      failingDocumentId: 7,
      details: { operatorName: '$jsonSchema', consideredValue: '[REDACTED:email]' },
    });
  });

  it('an `errors` Set keeps its errors, an `errors` Map its entries under the key rules', () => {
    const set = Object.assign(new Error('batch failed'), {
      errors: new Set([new RangeError('item 1 password=hunter2'), 'item 2']),
    });
    const fromSet = redactor.redact(set) as { errors: Record[] };
    expect(fromSet.errors[0]).toMatchObject({ type: 'RangeError', message: 'item 1 password=[REDACTED]' });
    expect(fromSet.errors[1]).toBe('item 2');
    const map = Object.assign(new Error('batch failed'), {
      errors: new Map<unknown, unknown>([
        ['email', new TypeError('not an email')],
        ['token', 'tok_live_abcdefghijklmnop'],
        [7, 'seventh'],
      ]),
    });
    const fromMap = redactor.redact(map) as { errors: Record };
    expect(fromMap.errors.email).toMatchObject({ type: 'TypeError', message: 'not an email' });
    expect(fromMap.errors.token).toBe('[REDACTED]');
    expect(fromMap.errors['7']).toBe('seventh');
    expect(JSON.stringify(fromMap)).not.toContain('tok_live');
  });

  it('a Set keeps at most maxKeys items; a Set nested deeper stays its class and size', () => {
    const small = createRedactor({ maxKeys: 2 });
    const out = small.redact(Object.assign(new Error('x'), { labels: new Set(['a', 'b', 'c']) })) as Record;
    expect(out.labels).toEqual(['a', 'b']);
    const nested = redactor.redact(Object.assign(new Error('x'), { meta: { labels: new Set(['a']) } })) as Record;
    expect(nested.meta).toEqual({ labels: '[Set size=1]' });
  });
});

describe("an error's symbol-keyed fields", () => {
  const kErrorLabels: unique symbol = Symbol('errorLabels');
  const kToken: unique symbol = Symbol('token');
  const kState: unique symbol = Symbol('state');
  /** A driver's error as older MongoDB drivers made it: its labels in a Set under a symbol. */
  class DriverError extends Error {
    [kErrorLabels] = new Set(['RetryableWriteError']);
    [kToken] = 'tok_abcdefghijklmnop';
    [kState] = { phase: 'commit', password: 'hunter2' };
  }

  it('are written as Symbol(description), the key rules applied to the description', () => {
    // Many instances: a class whose instances carry symbols is asked every time.
    for (let i = 0; i < 40; i += 1) {
      const out = redactor.redact(new DriverError(`write ${i} failed`)) as Record;
      expect(out['Symbol(errorLabels)']).toEqual(['RetryableWriteError']);
      expect(out['Symbol(token)']).toBe('[REDACTED]');
      expect(out['Symbol(state)']).toEqual({ phase: 'commit', password: '[REDACTED]' });
      expect(JSON.stringify(out)).not.toMatch(/hunter2|tok_abc/);
    }
  });

  it('a non-enumerable symbol field and a brand (a symbol holding a boolean) stay out', () => {
    class UndiciLike extends Error {}
    const thrown = Object.assign(new UndiciLike('x'), { [Symbol.for('undici.error.UND_ERR')]: true });
    Object.defineProperty(thrown, Symbol('hidden'), { value: 'internal', enumerable: false });
    expect(Object.keys(redactor.redact(thrown) as Record).sort()).toEqual(['message', 'stack', 'type']);
  });
});
