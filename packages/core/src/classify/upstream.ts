/**
 * Calls this service made to other services: axios, got/ky `HTTPError`, and the AWS SDK v3.
 * An upstream's answer is never passed through: its 401/403 means this service's credentials
 * are wrong (internal), its 404 is this service's problem to explain (bad gateway unless the
 * application maps it), its 429/503 means the upstream is unavailable.
 */
import { type ObjectLike, safeGet, safeGetNumber, safeGetObject, safeGetString } from '../safe-access.js';
import type { Category } from '../taxonomy.js';
import type { Classifier } from './types.js';

/** Maps an HTTP status received from an upstream to this service's category. */
export function categoryOfUpstreamStatus(status: number): Category {
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429 || status === 503) return 'unavailable';
  if (status >= 500) return 'bad_gateway';
  return 'internal';
}

/** axios errors (`isAxiosError: true`) and got/ky `HTTPError`s with a `response`. */
export const httpClientClassifier: Classifier = {
  name: 'http-client',
  classify(error: ObjectLike) {
    const isAxios = safeGet(error, 'isAxiosError') === true;
    const name = safeGetString(error, 'name', 64);
    if (!isAxios && name !== 'HTTPError' && name !== 'RequestError' && name !== 'TimeoutError') return undefined;
    const response = safeGetObject(error, 'response');
    const status =
      response === undefined ? undefined : (safeGetNumber(response, 'status') ?? safeGetNumber(response, 'statusCode'));
    if (status !== undefined && status >= 100 && status <= 599) {
      return { category: categoryOfUpstreamStatus(status), reason: `upstream:${status}` };
    }
    const code = safeGetString(error, 'code', 64);
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
      return { category: code === 'ERR_CANCELED' ? 'cancelled' : 'timeout', reason: `upstream:${code}` };
    }
    // No response: let the network classifier look at the code or the cause.
    return undefined;
  },
};

const AWS_NAMES: Readonly<Record<string, Category>> = {
  ThrottlingException: 'unavailable',
  Throttling: 'unavailable',
  TooManyRequestsException: 'unavailable',
  ProvisionedThroughputExceededException: 'unavailable',
  RequestLimitExceeded: 'unavailable',
  SlowDown: 'unavailable',
  ServiceUnavailable: 'unavailable',
  ServiceUnavailableException: 'unavailable',
  RequestTimeout: 'timeout',
  RequestTimeoutException: 'timeout',
  TimeoutError: 'timeout',
  ConditionalCheckFailedException: 'conflict',
  TransactionConflictException: 'conflict',
  PreconditionFailed: 'precondition_failed',
  NoSuchKey: 'not_found',
};

/** AWS SDK v3 service exceptions (`$metadata` + `$fault`). Credential failures are internal. */
export const awsClassifier: Classifier = {
  name: 'aws',
  classify(error: ObjectLike) {
    const metadata = safeGetObject(error, '$metadata');
    const fault = safeGetString(error, '$fault', 16);
    if (metadata === undefined && fault === undefined) return undefined;
    const name = safeGetString(error, 'name', 64) ?? '';
    const mapped = AWS_NAMES[name];
    if (mapped !== undefined) {
      return {
        category: mapped,
        reason: `aws:${name}`,
        ...(name === 'TransactionConflictException' ? { retryable: true } : {}),
      };
    }
    const status = metadata === undefined ? undefined : safeGetNumber(metadata, 'httpStatusCode');
    if (fault === 'server' || (status !== undefined && status >= 500)) {
      return { category: status === 503 ? 'unavailable' : 'bad_gateway', reason: `aws:${name || 'server'}` };
    }
    // AccessDenied, ExpiredToken, UnrecognizedClient, ValidationException, ResourceNotFound:
    // the service's own identity or configuration, never the client's.
    return { category: 'internal', reason: `aws:${/^\w{1,64}$/.test(name) ? name : 'client'}` };
  },
};
