import { describe, expect, it } from 'vitest';
import { capture } from '../src/index.js';

/** A pg-style error (severity and constraint, as node-postgres's DatabaseError has) with `code`. */
const pg = (code: string) =>
  Object.assign(new Error('duplicate key'), { code, severity: 'ERROR', constraint: 'orders_ref_key' });
/** A mysql2-style error with `sqlState` and a code mysql has no entry for. */
const mysql = (sqlState: string) => Object.assign(new Error('x'), { code: 'ER_SOMETHING_NEW', errno: 9999, sqlState });

describe('SQLSTATE shape: five characters, each a digit or an upper-case letter', () => {
  it('classifies pg and mysql errors whose state has that shape', () => {
    expect(capture(pg('23505')).internal.reason).toBe('pg:23505');
    expect(capture(pg('40P01')).internal.reason).toBe('pg:40P01');
    expect(capture(pg('HV000')).internal.reason).toBe('pg:HV000');
    expect(capture(mysql('22003')).category).toBe('validation');
  });

  it('leaves any other code to the classifiers after them (unclassified here)', () => {
    const others = [
      '2350',
      '235055',
      '2350a',
      'hv000',
      '23 05',
      '2350/',
      '2350:',
      '@3505',
      '[3505',
      '２３５０５',
      'É3505',
      '',
    ];
    for (const code of others) {
      expect(capture(pg(code)).internal.classifier, code).not.toBe('pg');
      expect(capture(mysql(code)).category, code).toBe('internal');
    }
  });
});
