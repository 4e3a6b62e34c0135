/**
 * ORMs and query builders: Prisma (P1xxx/P2xxx codes), TypeORM, Sequelize and Knex. Wrapper
 * errors that only carry a driver error (TypeORM `QueryFailedError`, `SequelizeDatabaseError`)
 * are left to the driver classifiers, which `capture` reaches through the cause chain.
 */
import { type FieldViolation, MAX_FIELD_VIOLATIONS, pointerFromSegments } from '../field-violation.js';
import { isObjectLike, type ObjectLike, safeGet, safeGetArray, safeGetString } from '../safe-access.js';
import type { Classification, Classifier } from './types.js';
import { genericDetail } from './validation.js';

const PRISMA_CODES: Readonly<Record<string, Omit<Classification, 'reason'>>> = {
  P1000: { category: 'internal' }, // authentication failed against the database: our credentials
  P1001: { category: 'unavailable' },
  P1002: { category: 'timeout' },
  P1008: { category: 'timeout' },
  P1011: { category: 'unavailable' },
  P1017: { category: 'unavailable' },
  P2000: { category: 'validation' },
  P2002: { category: 'conflict' },
  P2003: { category: 'validation' },
  P2004: { category: 'validation' },
  P2005: { category: 'validation' },
  P2006: { category: 'validation' },
  P2007: { category: 'validation' },
  P2011: { category: 'validation' },
  P2012: { category: 'validation' },
  P2013: { category: 'validation' },
  P2014: { category: 'conflict' },
  P2015: { category: 'not_found' },
  P2018: { category: 'not_found' },
  P2019: { category: 'validation' },
  P2020: { category: 'validation' },
  P2023: { category: 'validation' },
  P2024: { category: 'unavailable' },
  P2025: { category: 'not_found' },
  P2034: { category: 'conflict', retryable: true },
  P2037: { category: 'unavailable' },
};

/** Prisma Client errors (`PrismaClientKnownRequestError`, `PrismaClientInitializationError`, …). */
export const prismaClassifier: Classifier = {
  name: 'prisma',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64) ?? '';
    const isPrisma = name.startsWith('PrismaClient') || typeof safeGet(error, 'clientVersion') === 'string';
    if (!isPrisma) return undefined;
    const code = safeGetString(error, 'code', 8) ?? safeGetString(error, 'errorCode', 8);
    if (code !== undefined && /^P\d{4}$/.test(code)) {
      const mapped = PRISMA_CODES[code];
      return { ...(mapped ?? { category: 'internal' }), reason: `prisma:${code}` };
    }
    if (name === 'PrismaClientInitializationError') return { category: 'unavailable', reason: 'prisma:init' };
    // Validation errors are malformed queries written by the developer; panics are engine crashes.
    return { category: 'internal', reason: `prisma:${name || 'unknown'}` };
  },
};

const SEQUELIZE_NAMES: Readonly<Record<string, Omit<Classification, 'reason'>>> = {
  SequelizeUniqueConstraintError: { category: 'conflict' },
  SequelizeForeignKeyConstraintError: { category: 'validation' },
  SequelizeExclusionConstraintError: { category: 'conflict' },
  SequelizeEmptyResultError: { category: 'not_found' },
  SequelizeOptimisticLockError: { category: 'conflict', retryable: true },
  SequelizeTimeoutError: { category: 'timeout' },
  SequelizeConnectionError: { category: 'unavailable' },
  SequelizeConnectionRefusedError: { category: 'unavailable' },
  SequelizeConnectionTimedOutError: { category: 'unavailable' },
  SequelizeHostNotFoundError: { category: 'unavailable' },
  SequelizeHostNotReachableError: { category: 'unavailable' },
  SequelizeConnectionAcquireTimeoutError: { category: 'unavailable' },
  SequelizeAccessDeniedError: { category: 'internal' },
  SequelizeInvalidConnectionError: { category: 'internal' },
};

const ORM_NAMES: Readonly<Record<string, Omit<Classification, 'reason'>>> = {
  ...SEQUELIZE_NAMES,
  EntityNotFoundError: { category: 'not_found' }, // TypeORM findOneOrFail
  EntityNotFound: { category: 'not_found' },
  OptimisticLockVersionMismatchError: { category: 'conflict', retryable: true },
  KnexTimeoutError: { category: 'unavailable' }, // pool acquire timeout
  CannotConnectAlreadyConnectedError: { category: 'internal' },
  ConnectionIsNotSetError: { category: 'unavailable' },
};

/** Sequelize validator keys, as the shared rule keywords. */
const SEQUELIZE_VALIDATORS: Readonly<Record<string, string>> = {
  is_null: 'required',
  notNull: 'required',
  notEmpty: 'required',
  isEmail: 'email',
  isIn: 'oneOf',
  min: 'min',
  max: 'max',
};

/**
 * A model validation (`SequelizeValidationError`, `errors[]` of `ValidationErrorItem`s with the
 * attribute's `path`): like every validation library's verdict, the client's only when its
 * attributes are fields of the request's input, since a model may be built from server-side data.
 */
function sequelizeValidation(error: ObjectLike): Classification {
  const fieldViolations: FieldViolation[] = [];
  for (const item of safeGetArray(error, 'errors', MAX_FIELD_VIOLATIONS) ?? []) {
    if (!isObjectLike(item)) continue;
    const key = safeGetString(item, 'validatorKey', 32);
    fieldViolations.push({
      pointer: pointerFromSegments([safeGetString(item, 'path', 128)]),
      detail: genericDetail(key === undefined ? undefined : SEQUELIZE_VALIDATORS[key]),
    });
  }
  return { category: 'validation', reason: 'orm:SequelizeValidationError', inputBound: true, fieldViolations };
}

/** TypeORM, Sequelize and Knex errors recognised by their class names. */
export const ormClassifier: Classifier = {
  name: 'orm',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64);
    if (name === undefined) return undefined;
    if (name === 'SequelizeValidationError') return sequelizeValidation(error);
    const mapped = ORM_NAMES[name];
    if (mapped !== undefined) return { ...mapped, reason: `orm:${name}` };
    return undefined;
  },
};
