/**
 * Limits the application enforces on the client: multer's upload limits and rate limiters'
 * rejections (rate-limiter-flexible's `RateLimiterRes`, `@fastify/rate-limit`-style errors with a
 * retry delay). A known delay becomes `Retry-After` / `RetryInfo`.
 */
import { type ObjectLike, safeGetNumber, safeGetString } from '../safe-access.js';
import type { Category } from '../taxonomy.js';
import type { Classifier } from './types.js';

const MULTER_CODES: Readonly<Record<string, Category>> = {
  LIMIT_PART_COUNT: 'payload_too_large',
  LIMIT_FILE_SIZE: 'payload_too_large',
  LIMIT_FILE_COUNT: 'payload_too_large',
  LIMIT_FIELD_KEY: 'payload_too_large',
  LIMIT_FIELD_VALUE: 'payload_too_large',
  LIMIT_FIELD_COUNT: 'payload_too_large',
  LIMIT_UNEXPECTED_FILE: 'validation',
  MISSING_FIELD_NAME: 'validation',
};

/** multer's `MulterError` (`name` and a `LIMIT_*` code). */
export const multerClassifier: Classifier = {
  name: 'multer',
  classify(error: ObjectLike) {
    if (safeGetString(error, 'name', 32) !== 'MulterError') return undefined;
    const code = safeGetString(error, 'code', 64) ?? '';
    const category = MULTER_CODES[code] ?? 'validation';
    return { category, reason: `multer:${/^[A-Z_]{1,40}$/.test(code) ? code : 'unknown'}` };
  },
};

/** Seconds from a millisecond delay, rounded up; `undefined` when absent or not a sane number. */
function secondsOf(ms: number | undefined): number | undefined {
  if (ms === undefined || ms < 0 || ms > 86_400_000) return undefined;
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * rate-limiter-flexible rejects with a `RateLimiterRes` (not an Error): `msBeforeNext`,
 * `remainingPoints`, `consumedPoints`. Errors named `RateLimitError`/`TooManyRequestsError` or
 * coded `RATE_LIMITED`/`ERR_RATE_LIMITED` are recognised too, with `retryAfter`
 * (seconds) or `msBeforeNext` when present.
 */
export const rateLimitClassifier: Classifier = {
  name: 'rate-limit',
  classify(error: ObjectLike) {
    const msBeforeNext = safeGetNumber(error, 'msBeforeNext');
    if (msBeforeNext !== undefined && safeGetNumber(error, 'consumedPoints') !== undefined) {
      const retryAfter = secondsOf(msBeforeNext);
      return {
        category: 'rate_limited',
        reason: 'rate-limit:flexible',
        ...(retryAfter === undefined ? {} : { retryAfter }),
      };
    }
    const name = safeGetString(error, 'name', 64);
    const code = safeGetString(error, 'code', 64);
    if (
      name !== 'RateLimitError' &&
      name !== 'TooManyRequestsError' &&
      code !== 'RATE_LIMITED' &&
      code !== 'ERR_RATE_LIMITED'
    )
      return undefined;
    const seconds = safeGetNumber(error, 'retryAfter');
    const retryAfter = seconds !== undefined ? secondsOf(seconds * 1000) : secondsOf(msBeforeNext);
    return { category: 'rate_limited', reason: 'rate-limit', ...(retryAfter === undefined ? {} : { retryAfter }) };
  },
};
