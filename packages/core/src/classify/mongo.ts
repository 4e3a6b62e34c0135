/** MongoDB driver and Mongoose errors, by class name and server error code. */
import { type FieldViolation, MAX_FIELD_VIOLATIONS, sanitizePointer } from '../field-violation.js';
import { isObjectLike, type ObjectLike, safeGet, safeGetNumber, safeGetString } from '../safe-access.js';
import type { Classification, Classifier } from './types.js';
import { genericDetail } from './validation.js';

const MONGO_CODES: Readonly<Record<number, Omit<Classification, 'reason'>>> = {
  11000: { category: 'conflict' }, // E11000 duplicate key
  11001: { category: 'conflict' },
  12582: { category: 'conflict' },
  112: { category: 'conflict', retryable: true }, // WriteConflict
  50: { category: 'timeout' }, // MaxTimeMSExpired
  262: { category: 'timeout' }, // ExceededTimeLimit
  121: { category: 'validation', inputBound: true }, // DocumentValidationFailure: no pointer, so internal unless proven
  13: { category: 'internal' }, // Unauthorized: the service's own user
  18: { category: 'internal' }, // AuthenticationFailed: the service's own credentials
  91: { category: 'unavailable' }, // ShutdownInProgress
  189: { category: 'unavailable' }, // PrimarySteppedDown
  10107: { category: 'unavailable' }, // NotWritablePrimary
  11600: { category: 'unavailable' }, // InterruptedAtShutdown
  13435: { category: 'unavailable' }, // NotPrimaryNoSecondaryOk
};

const MONGO_NAMES: Readonly<Record<string, Omit<Classification, 'reason'>>> = {
  MongoNetworkError: { category: 'unavailable' },
  MongoServerSelectionError: { category: 'unavailable' },
  MongoTopologyClosedError: { category: 'unavailable' },
  MongoNotConnectedError: { category: 'unavailable' },
  MongoPoolClosedError: { category: 'unavailable' },
  MongoNetworkTimeoutError: { category: 'timeout' },
  MongoWaitQueueTimeoutError: { category: 'unavailable' },
  MongoOperationTimeoutError: { category: 'timeout' },
};

/** Mongoose's validator errors (`ValidatorError`/`CastError` with `path` and `kind`) as field violations. */
function mongooseViolations(errors: ObjectLike): FieldViolation[] {
  const out: FieldViolation[] = [];
  let keys: string[];
  try {
    keys = Object.keys(errors).slice(0, MAX_FIELD_VIOLATIONS);
  } catch {
    return out;
  }
  for (const key of keys) {
    const item = safeGet(errors, key);
    if (!isObjectLike(item)) continue;
    const kind = safeGetString(item, 'kind', 64);
    out.push({
      pointer: sanitizePointer(safeGetString(item, 'path', 256) ?? key),
      detail: genericDetail(kind === 'required' ? 'required' : kind === undefined ? undefined : MONGOOSE_KINDS[kind]),
    });
  }
  return out;
}

/** Mongoose validator kinds, as the shared rule keywords. */
const MONGOOSE_KINDS: Readonly<Record<string, string>> = {
  min: 'minimum',
  max: 'maximum',
  minlength: 'minLength',
  maxlength: 'maxLength',
  enum: 'enum',
  regexp: 'pattern',
  ObjectId: 'type',
  Number: 'type',
  String: 'type',
  Date: 'type',
  Boolean: 'type',
};

/** Mongoose errors whose names are generic: recognised only with the fields Mongoose sets on them. */
function classifyMongoose(error: ObjectLike, name: string): Classification | undefined {
  if (
    name === 'CastError' &&
    typeof safeGet(error, 'kind') === 'string' &&
    typeof safeGet(error, 'path') === 'string'
  ) {
    // A submitted id that is not an ObjectId, or a stored value that does not cast: the input decides.
    return {
      category: 'validation',
      reason: 'mongoose:CastError',
      inputBound: true,
      fieldViolations: [{ pointer: sanitizePointer(safeGetString(error, 'path', 256)), detail: genericDetail('type') }],
    };
  }
  const errors = safeGet(error, 'errors');
  if (
    name === 'ValidationError' &&
    isObjectLike(errors) &&
    !Array.isArray(errors) &&
    safeGet(error, 'inner') === undefined
  ) {
    return {
      category: 'validation',
      reason: 'mongoose:ValidationError',
      inputBound: true,
      fieldViolations: mongooseViolations(errors),
    };
  }
  if (name === 'VersionError' && Array.isArray(safeGet(error, 'modifiedPaths'))) {
    return { category: 'conflict', retryable: true, reason: 'mongoose:VersionError' };
  }
  if (name === 'DocumentNotFoundError' && safeGet(error, 'filter') !== undefined) {
    return { category: 'not_found', reason: 'mongoose:DocumentNotFoundError' };
  }
  return undefined;
}

/** `MongoServerError`, `MongoBulkWriteError`, network/selection errors and Mongoose errors. */
export const mongoClassifier: Classifier = {
  name: 'mongo',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64) ?? '';
    const byName = MONGO_NAMES[name];
    if (byName !== undefined) return { ...byName, reason: `mongo:${name}` };
    const mongoose = classifyMongoose(error, name);
    if (mongoose !== undefined) return mongoose;
    const isMongo = name.startsWith('Mongo');
    if (isMongo) {
      const code = safeGetNumber(error, 'code');
      const mapped = code === undefined ? undefined : MONGO_CODES[code];
      if (mapped !== undefined) return { ...mapped, reason: `mongo:${code}` };
    }
    // A duplicate key keeps its E11000 message even when a wrapper re-throws it under another name.
    if (safeGetString(error, 'message', 16)?.startsWith('E11000') === true)
      return { category: 'conflict', reason: 'mongo:E11000' };
    return isMongo ? { category: 'internal', reason: `mongo:${safeGetNumber(error, 'code') ?? name}` } : undefined;
  },
};
