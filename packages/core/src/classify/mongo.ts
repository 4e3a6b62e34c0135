/** MongoDB driver and Mongoose errors, by class name and server error code. */
import { type ObjectLike, safeGetNumber, safeGetString } from '../safe-access.js';
import type { Classification, Classifier } from './types.js';

const MONGO_CODES: Readonly<Record<number, Omit<Classification, 'reason'>>> = {
  11000: { category: 'conflict' }, // E11000 duplicate key
  11001: { category: 'conflict' },
  12582: { category: 'conflict' },
  112: { category: 'conflict', retryable: true }, // WriteConflict
  50: { category: 'timeout' }, // MaxTimeMSExpired
  262: { category: 'timeout' }, // ExceededTimeLimit
  121: { category: 'validation' }, // DocumentValidationFailure
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
  DocumentNotFoundError: { category: 'not_found' }, // Mongoose orFail
  VersionError: { category: 'conflict', retryable: true }, // Mongoose optimistic concurrency
  CastError: { category: 'validation' }, // Mongoose: a submitted id is not an ObjectId
};

/** `MongoServerError`, `MongoBulkWriteError`, network/selection errors and Mongoose errors. */
export const mongoClassifier: Classifier = {
  name: 'mongo',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64) ?? '';
    const byName = MONGO_NAMES[name];
    if (byName !== undefined) return { ...byName, reason: `mongo:${name}` };
    if (!name.startsWith('Mongo')) {
      // Mongoose wraps without a Mongo* name only for the classes above; a bare E11000 message is still a duplicate.
      const message = safeGetString(error, 'message', 16);
      return message?.startsWith('E11000') === true ? { category: 'conflict', reason: 'mongo:E11000' } : undefined;
    }
    const code = safeGetNumber(error, 'code');
    const mapped = code === undefined ? undefined : MONGO_CODES[code];
    if (mapped !== undefined) return { ...mapped, reason: `mongo:${code}` };
    const message = safeGetString(error, 'message', 16);
    if (message?.startsWith('E11000') === true) return { category: 'conflict', reason: 'mongo:E11000' };
    return { category: 'internal', reason: `mongo:${code ?? name}` };
  },
};
