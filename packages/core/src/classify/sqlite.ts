/**
 * SQLite: better-sqlite3's `SqliteError` (`code: 'SQLITE_CONSTRAINT_UNIQUE'`) and `node:sqlite`'s
 * `ERR_SQLITE_ERROR` (extended result code in `errcode`), mapped like the other databases: a
 * unique or primary key violation is a conflict, other constraints are bad input, a lock that
 * could not be had is a retryable conflict, a full disk is unavailable.
 */
import { type ObjectLike, safeGetNumber, safeGetString } from '../safe-access.js';
import type { Category } from '../taxonomy.js';
import type { Classification, Classifier } from './types.js';

const SQLITE_CODES: Readonly<Record<string, Category>> = {
  SQLITE_CONSTRAINT_UNIQUE: 'conflict',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'conflict',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'validation',
  SQLITE_CONSTRAINT_NOTNULL: 'validation',
  SQLITE_CONSTRAINT_CHECK: 'validation',
  SQLITE_BUSY: 'conflict',
  SQLITE_LOCKED: 'conflict',
  SQLITE_FULL: 'unavailable',
};

/** `node:sqlite`'s extended result codes, by the names better-sqlite3 uses. */
const EXTENDED_CODES: Readonly<Record<number, string>> = {
  2067: 'SQLITE_CONSTRAINT_UNIQUE',
  1555: 'SQLITE_CONSTRAINT_PRIMARYKEY',
  787: 'SQLITE_CONSTRAINT_FOREIGNKEY',
  1299: 'SQLITE_CONSTRAINT_NOTNULL',
  275: 'SQLITE_CONSTRAINT_CHECK',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  13: 'SQLITE_FULL',
};

/** The SQLite result code's name of `error`, when it is an SQLite error. */
function sqliteCode(error: ObjectLike): string | undefined {
  const code = safeGetString(error, 'code', 64);
  if (code === 'ERR_SQLITE_ERROR') {
    const errcode = safeGetNumber(error, 'errcode');
    return (errcode === undefined ? undefined : EXTENDED_CODES[errcode]) ?? 'ERR_SQLITE_ERROR';
  }
  if (code?.startsWith('SQLITE_') && safeGetString(error, 'name', 32) === 'SqliteError') return code;
  return undefined;
}

/** better-sqlite3 and `node:sqlite` errors, by result code. */
export const sqliteClassifier: Classifier = {
  name: 'sqlite',
  classify(error: ObjectLike): Classification | undefined {
    const code = sqliteCode(error);
    if (code === undefined) return undefined;
    const category = SQLITE_CODES[code] ?? 'internal';
    const reason = `sqlite:${/^[A-Z_]{1,48}$/.test(code) ? code : 'unknown'}`;
    return category === 'conflict' && !code.startsWith('SQLITE_CONSTRAINT')
      ? { category, reason, retryable: true }
      : { category, reason };
  },
};
