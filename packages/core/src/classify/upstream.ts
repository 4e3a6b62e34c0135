/**
 * Calls this service made to other services: axios, got/ky `HTTPError`, undici, node-fetch and
 * the AWS SDK v3.
 * An upstream's answer is never passed through: its 401/403 means this service's credentials
 * are wrong (internal), its 404 is this service's problem to explain (bad gateway unless the
 * application maps it), its 429/503 means the upstream is unavailable.
 */
import { type ObjectLike, safeGet, safeGetNumber, safeGetObject, safeGetString } from '../safe-access.js';
import type { Category } from '../taxonomy.js';
import type { Classification, Classifier } from './types.js';

/** Maps an HTTP status received from an upstream to this service's category. */
export function categoryOfUpstreamStatus(status: number): Category {
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429 || status === 503) return 'unavailable';
  if (status >= 500) return 'bad_gateway';
  return 'internal';
}

/** node-fetch's `FetchError` types for an upstream that did not answer in time. */
const FETCH_TIMEOUT_TYPES = new Set(['request-timeout', 'body-timeout']);

/**
 * undici's `ResponseStatusCodeError` (`throwOnError`: the upstream's `statusCode` and `headers`)
 * and node-fetch's timeouts (`FetchError` with a `type`, no `code`).
 */
function classifyFetchLike(error: ObjectLike, name: string | undefined): Classification | undefined {
  if (safeGetString(error, 'code', 64) === 'UND_ERR_RESPONSE_STATUS_CODE') {
    const status = safeGetNumber(error, 'statusCode') ?? safeGetNumber(error, 'status');
    if (status !== undefined && Number.isInteger(status) && status >= 100 && status <= 599) {
      return { category: categoryOfUpstreamStatus(status), reason: `upstream:${status}` };
    }
  }
  if (name === 'FetchError') {
    const type = safeGetString(error, 'type', 32);
    if (type !== undefined && FETCH_TIMEOUT_TYPES.has(type)) return { category: 'timeout', reason: `upstream:${type}` };
  }
  return undefined;
}

/**
 * axios errors (`isAxiosError: true`), got/ky `HTTPError`s with a `response`, undici's
 * `ResponseStatusCodeError` and node-fetch's timeouts: an upstream's status maps the same way
 * whichever client received it.
 */
export const httpClientClassifier: Classifier = {
  name: 'http-client',
  classify(error: ObjectLike) {
    const isAxios = safeGet(error, 'isAxiosError') === true;
    const name = safeGetString(error, 'name', 64);
    const fetchLike = classifyFetchLike(error, name);
    if (fetchLike !== undefined) return fetchLike;
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

/** The SDK's own throttling names (`THROTTLING_ERROR_CODES` of @smithy's retry classification). */
const AWS_THROTTLING = [
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
] as const;

const AWS_NAMES: Readonly<Record<string, Category>> = {
  ...Object.fromEntries(AWS_THROTTLING.map((name) => [name, 'unavailable' as const])),
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

/**
 * AWS SDK v3 service exceptions (`$metadata` + `$fault`). Credential failures are internal; a
 * throttle (by the SDK's own rule: its name, a 429, or `$retryable.throttling`) is the upstream
 * being unavailable, never a 429 to this service's client.
 */
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
    // A throttle the SDK tells by its status or retry trait (@smithy's `isThrottlingError`).
    const retryable = safeGetObject(error, '$retryable');
    if (status === 429 || (retryable !== undefined && safeGet(retryable, 'throttling') === true)) {
      return { category: 'unavailable', reason: `aws:${/^\w{1,64}$/.test(name) ? name : 'throttling'}` };
    }
    if (fault === 'server' || (status !== undefined && status >= 500)) {
      return { category: status === 503 ? 'unavailable' : 'bad_gateway', reason: `aws:${name || 'server'}` };
    }
    // AccessDenied, ExpiredToken, UnrecognizedClient, ValidationException, ResourceNotFound:
    // the service's own identity or configuration, never the client's.
    return { category: 'internal', reason: `aws:${/^\w{1,64}$/.test(name) ? name : 'client'}` };
  },
};
