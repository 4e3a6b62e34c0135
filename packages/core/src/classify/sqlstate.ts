/**
 * SQL databases: PostgreSQL (`pg` DatabaseError and anything exposing its fields) by SQLSTATE,
 * and MySQL/MariaDB (`mysql2`, `mysql`) by error code, falling back to SQLSTATE classes.
 */
import { type ObjectLike, safeGet, safeGetNumber, safeGetString } from '../safe-access.js';
import type { Classification, Classifier } from './types.js';

/**
 * True for a SQLSTATE's shape: five characters, each a digit or an upper-case letter (what
 * `/^[0-9A-Z]{5}$/` tests, at about a tenth of its instructions on every thrown value with a
 * string `code`, callgrind).
 */
function isSqlState(code: string): boolean {
  if (code.length !== 5) return false;
  for (let i = 0; i < 5; i += 1) {
    const c = code.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a))) return false;
  }
  return true;
}

/** Maps a SQLSTATE (ISO/IEC 9075 and PostgreSQL extensions) to a classification. */
export function classifySqlState(state: string, source: string, detail?: string): Classification {
  const reason = `${source}:${state}`;
  switch (state) {
    case '23505':
      return { category: 'conflict', reason };
    case '23503':
      // Deleting a row still referenced is a conflict; referencing a missing row is bad input.
      return detail !== undefined && /still referenced/i.test(detail)
        ? { category: 'conflict', reason }
        : { category: 'validation', reason };
    case '40001':
    case '40P01':
      return { category: 'conflict', reason, retryable: true };
    case '57014':
      return { category: 'timeout', reason };
    case '55P03': // lock_not_available (NOWAIT / lock_timeout)
      return { category: 'conflict', reason, retryable: true };
    default:
      break;
  }
  const klass = state.slice(0, 2);
  switch (klass) {
    case '22': // data exception: the submitted value does not fit
    case '23': // other integrity constraint violations (not null, check, exclusion)
      return { category: 'validation', reason };
    case '08': // connection exception
    case '53': // insufficient resources
    case '57': // operator intervention (admin shutdown, crash shutdown, cannot connect now)
    case 'HV':
      return { category: 'unavailable', reason };
    default:
      return { category: 'internal', reason };
  }
}

/** node-postgres `DatabaseError` (and pg-protocol look-alikes: postgres.js, pg-promise). */
export const postgresClassifier: Classifier = {
  name: 'pg',
  classify(error: ObjectLike) {
    const code = safeGetString(error, 'code', 16);
    if (code === undefined || !isSqlState(code)) return undefined;
    const name = safeGetString(error, 'name', 64);
    const hasPgFields =
      name === 'DatabaseError' ||
      name === 'PostgresError' ||
      typeof safeGet(error, 'severity') === 'string' ||
      typeof safeGet(error, 'routine') === 'string' ||
      typeof safeGet(error, 'constraint') === 'string';
    if (!hasPgFields) return undefined;
    return classifySqlState(code, 'pg', safeGetString(error, 'detail', 512));
  },
};

const MYSQL_CODES: Readonly<Record<string, Omit<Classification, 'reason'>>> = {
  ER_DUP_ENTRY: { category: 'conflict' },
  ER_DUP_KEY: { category: 'conflict' },
  ER_ROW_IS_REFERENCED: { category: 'conflict' },
  ER_ROW_IS_REFERENCED_2: { category: 'conflict' },
  ER_NO_REFERENCED_ROW: { category: 'validation' },
  ER_NO_REFERENCED_ROW_2: { category: 'validation' },
  ER_BAD_NULL_ERROR: { category: 'validation' },
  ER_DATA_TOO_LONG: { category: 'validation' },
  ER_TRUNCATED_WRONG_VALUE: { category: 'validation' },
  ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: { category: 'validation' },
  WARN_DATA_OUT_OF_RANGE: { category: 'validation' },
  ER_CHECK_CONSTRAINT_VIOLATED: { category: 'validation' },
  ER_LOCK_DEADLOCK: { category: 'conflict', retryable: true },
  ER_LOCK_WAIT_TIMEOUT: { category: 'conflict', retryable: true },
  ER_QUERY_TIMEOUT: { category: 'timeout' },
  ER_QUERY_INTERRUPTED: { category: 'timeout' },
  PROTOCOL_SEQUENCE_TIMEOUT: { category: 'timeout' },
  PROTOCOL_CONNECTION_LOST: { category: 'unavailable' },
  ER_CON_COUNT_ERROR: { category: 'unavailable' },
  ER_SERVER_SHUTDOWN: { category: 'unavailable' },
  ER_ACCESS_DENIED_ERROR: { category: 'internal' },
  ER_DBACCESS_DENIED_ERROR: { category: 'internal' },
};

/** mysql2 / mysql errors: `sqlState` plus an `ER_*` code and numeric `errno`. */
export const mysqlClassifier: Classifier = {
  name: 'mysql',
  classify(error: ObjectLike) {
    const sqlState = safeGetString(error, 'sqlState', 16);
    const code = safeGetString(error, 'code', 64);
    const errno = safeGetNumber(error, 'errno');
    const looksMysql =
      (sqlState !== undefined && isSqlState(sqlState)) ||
      (code !== undefined && /^(?:ER_|PROTOCOL_)/.test(code) && errno !== undefined) ||
      (code?.startsWith('PROTOCOL_') && typeof safeGet(error, 'fatal') === 'boolean');
    if (!looksMysql) return undefined;
    const mapped = code === undefined ? undefined : MYSQL_CODES[code];
    if (mapped !== undefined) return { ...mapped, reason: `mysql:${code}` };
    if (sqlState !== undefined && isSqlState(sqlState) && sqlState !== 'HY000') {
      return classifySqlState(sqlState, 'mysql');
    }
    return { category: 'internal', reason: `mysql:${code ?? 'unknown'}` };
  },
};
