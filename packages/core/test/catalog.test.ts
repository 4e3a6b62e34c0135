import { describe, expect, expectTypeOf, it } from 'vitest';
import { CatalogDefinitionError, capture, defineCatalog, FaultError, lookupCode } from './support/source.js';

describe('defineCatalog', () => {
  const errors = defineCatalog({
    CAT_ORDER_NOT_FOUND: {
      category: 'not_found',
      message: 'The order does not exist.',
      type: 'https://docs.example.com/errors/order-not-found',
    },
    CAT_ORDER_LOCKED: { category: 'conflict', message: 'The order is being changed by another request.' },
    CAT_SLOW_DOWN: { category: 'rate_limited', message: 'Too many orders. Retry later.' },
  });

  it('gives one typed factory per code', () => {
    expectTypeOf(errors.CAT_ORDER_NOT_FOUND).toBeFunction();
    const error = errors.CAT_ORDER_NOT_FOUND();
    expect(error).toBeInstanceOf(FaultError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('CAT_ORDER_NOT_FOUND');
    expect(error.category).toBe('not_found');
    expect(error.publicMessage).toBe('The order does not exist.');
    expect(error.type).toBe('https://docs.example.com/errors/order-not-found');
    expect(errors.CAT_ORDER_LOCKED().type).toBe('about:blank');
  });

  it('keeps the internal cause and message apart from the public side', () => {
    const cause = new Error('SELECT * FROM orders WHERE id = 7 -- secret');
    const error = errors.CAT_ORDER_NOT_FOUND({ cause, message: 'order 7 missing for tenant acme' });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('order 7 missing for tenant acme');
    const fault = capture(error);
    expect(fault.message).toBe('The order does not exist.');
    expect(fault.code).toBe('CAT_ORDER_NOT_FOUND');
    expect(fault.status).toBe(404);
    expect(fault.internal.thrown).toBe(error);
  });

  it('carries public field violations and retry-after, sanitised', () => {
    const error = errors.CAT_SLOW_DOWN({
      retryAfter: 2.2,
      fieldViolations: [{ pointer: '/items/0/qty', detail: 'Must be positive.' }],
    });
    expect(error.retryAfter).toBe(3);
    expect(error.fieldViolations).toEqual([{ pointer: '/items/0/qty', detail: 'Must be positive.' }]);
    expect(errors.CAT_SLOW_DOWN({ retryAfter: -1 }).retryAfter).toBeUndefined();
    expect(errors.CAT_SLOW_DOWN({ retryAfter: Number.NaN }).retryAfter).toBeUndefined();
    expect(errors.CAT_SLOW_DOWN({ retryAfter: 1e12 }).retryAfter).toBe(86_400);
    const hostile = errors.CAT_SLOW_DOWN({
      fieldViolations: [{ pointer: '/a/<script>/b', detail: 'line\r\nInjected: yes' }],
    });
    expect(hostile.fieldViolations).toEqual([{ pointer: '/a', detail: 'Is invalid.' }]);
  });

  it('captures a full stack for server-side categories, the first frames for client-side ones', () => {
    function raiseInHandler() {
      return errors.CAT_ORDER_NOT_FOUND();
    }
    const clientStack = raiseInHandler().stack?.split('\n') ?? [];
    // The message line plus at most four frames, and the raising function is among them.
    expect(clientStack.length).toBeGreaterThan(1);
    expect(clientStack.length).toBeLessThanOrEqual(5);
    expect(clientStack.some((line) => line.includes('raiseInHandler'))).toBe(true);
    expect(errors.CAT_ORDER_NOT_FOUND({ stack: false }).stack?.split('\n').length).toBe(1);
    expect(errors.CAT_ORDER_NOT_FOUND({ stack: true }).stack?.split('\n').length).toBeGreaterThan(5);
    expect(FaultError.of('internal').stack?.split('\n').length).toBeGreaterThan(1);
    expect(Error.stackTraceLimit).toBeGreaterThan(0);
  });

  it('creates by name and recognises its own faults', () => {
    const error = errors.create('CAT_ORDER_LOCKED');
    expect(errors.is(error)).toBe(true);
    expect(errors.is(error, 'CAT_ORDER_LOCKED')).toBe(true);
    expect(errors.is(error, 'CAT_ORDER_NOT_FOUND')).toBe(false);
    expect(errors.is(new Error('CAT_ORDER_LOCKED'))).toBe(false);
    expect(errors.has('CAT_ORDER_LOCKED')).toBe(true);
    expect(errors.has('NOPE')).toBe(false);
    expect(errors.get('CAT_ORDER_LOCKED')?.category).toBe('conflict');
    expect(lookupCode('CAT_ORDER_LOCKED')?.category).toBe('conflict');
    expect(lookupCode('INTERNAL')?.category).toBe('internal');
    expect(() => errors.create('NOPE' as 'CAT_ORDER_LOCKED')).toThrow(CatalogDefinitionError);
  });

  it.each([
    ['lower case', 'order_missing'],
    ['leading digit', '1ORDER'],
    ['double underscore', 'ORDER__MISSING'],
    ['trailing underscore', 'ORDER_'],
    ['too long', `A${'B'.repeat(64)}`],
    ['spaces', 'ORDER MISSING'],
  ])('rejects a malformed code (%s)', (_label, code) => {
    expect(() => defineCatalog({ [code]: { category: 'not_found', message: 'Missing.' } } as never)).toThrow(
      /malformed/,
    );
  });

  it('rejects malformed entries with a clear message', () => {
    expect(() => defineCatalog({ BAD_CAT: { category: 'nope', message: 'x' } } as never)).toThrow(/category/);
    expect(() => defineCatalog({ BAD_MSG: { category: 'conflict', message: '' } })).toThrow(/message/);
    expect(() => defineCatalog({ BAD_MSG2: { category: 'conflict', message: 'a\nb' } })).toThrow(/one line/);
    // A message that shows nothing, by the client's rule too (it would drop such text from any server).
    for (const blank of ['   ', '\u3000\u2003', '\u200e', '\u2800']) {
      expect(() => defineCatalog({ BAD_BLANK: { category: 'conflict', message: blank } })).toThrow(/message/);
    }
    expect(() => defineCatalog({ OK_MARKED: { category: 'conflict', message: '\u200fשולם\u200f' } })).not.toThrow();
    // A right-to-left override or an isolate shows other words than the message holds.
    for (const bidi of ['\u202e', '\u202a', '\u2066', '\u2069'])
      expect(() => defineCatalog({ BAD_BIDI: { category: 'conflict', message: `Paid ${bidi}exe.txt` } })).toThrow(
        /bidirectional/,
      );
    expect(() =>
      defineCatalog({
        BAD_BIDI_DE: { category: 'conflict', message: 'Paid.', translations: { de: { message: 'Bezahlt \u202e.' } } },
      }),
    ).toThrow(CatalogDefinitionError);
    // Invisible characters hide text in a message (tag characters spell words no viewer shows).
    for (const hidden of ['\u200b', '\u2060', '\ufeff', '\u{e0041}'])
      expect(() => defineCatalog({ BAD_HIDDEN: { category: 'conflict', message: `Paid${hidden}.` } })).toThrow(
        /invisible/,
      );
    // The same rule as the client's: a message the client would drop is refused here.
    for (const hidden of ['\u2764\ufe0f', 'x\u00ady', 'x\u3164', 'ad\u200dmin', 'x\ufffe', 'x\ud800'])
      expect(() => defineCatalog({ BAD_RULE: { category: 'conflict', message: `Paid ${hidden}.` } })).toThrow(
        CatalogDefinitionError,
      );
    // A right-to-left message places its punctuation with the marks (RLM, ALM): they pass.
    expect(
      defineCatalog({
        HE_OK: {
          category: 'conflict',
          message: '\u05e9\u05d5\u05dc\u05dd\u200f.',
          translations: { ar: { message: '\u0645\u061c.' } },
        },
      }),
    ).toBeDefined();
    // The joiner Persian needs (ZWNJ) is text, not hiding.
    expect(
      defineCatalog({
        FA_OK: {
          category: 'conflict',
          message: 'Paid.',
          translations: { fa: { message: '\u0645\u06cc\u200c\u0634\u0648\u062f.' } },
        },
      }),
    ).toBeDefined();
    expect(() => defineCatalog({ BAD_MSG3: { category: 'conflict', message: 'x'.repeat(301) } })).toThrow(/message/);
    expect(() =>
      defineCatalog({ BAD_TYPE: { category: 'conflict', message: 'x', type: 'javascript:alert(1)' } }),
    ).toThrow(/type/);
    expect(() => defineCatalog({ BAD_TYPE2: { category: 'conflict', message: 'x', type: 'https://a b' } })).toThrow(
      /type/,
    );
    expect(() => defineCatalog(null as never)).toThrow(CatalogDefinitionError);
  });

  it('rejects a code defined twice with different meanings', () => {
    defineCatalog({ DUP_CODE: { category: 'conflict', message: 'Taken.' } });
    // The same definition again (a module loaded twice) is accepted.
    expect(() => defineCatalog({ DUP_CODE: { category: 'conflict', message: 'Taken.' } })).not.toThrow();
    expect(() => defineCatalog({ DUP_CODE: { category: 'not_found', message: 'Taken.' } })).toThrow(/already defined/);
    expect(() => defineCatalog({ DUP_CODE: { category: 'conflict', message: 'Other.' } })).toThrow(/already defined/);
  });

  it('rejects redefining a built-in code under another category', () => {
    expect(() => defineCatalog({ NOT_FOUND: { category: 'conflict', message: 'x' } })).toThrow(/built in/);
    expect(() => defineCatalog({ NOT_FOUND: { category: 'not_found', message: 'Nothing here.' } })).not.toThrow();
  });

  it('does not let a failed definition register any of its codes', () => {
    expect(() =>
      defineCatalog({
        PARTIAL_OK: { category: 'conflict', message: 'ok' },
        partial_bad: { category: 'conflict', message: 'bad' },
      } as never),
    ).toThrow();
    expect(lookupCode('PARTIAL_OK')).toBeUndefined();
  });

  it('trusts only real FaultErrors, not look-alikes', () => {
    const lookAlike = Object.assign(new Error('x'), {
      name: 'FaultError',
      code: 'CAT_ORDER_NOT_FOUND',
      category: 'not_found',
    });
    expect(FaultError.is(lookAlike)).toBe(false);
    expect(capture(lookAlike).category).toBe('internal');
    expect(FaultError.is(new Proxy(errors.CAT_ORDER_LOCKED(), {}))).toBe(false);
  });
});
