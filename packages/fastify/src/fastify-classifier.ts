/**
 * Fastify's own errors, recognised by their `FST_ERR_*` code: the allowlist of framework codes
 * whose meaning Faultline trusts. Their `statusCode` and `message` are still never used.
 */
import {
  type Category,
  type Classifier,
  type FieldViolation,
  fieldViolationsFromAjv,
  safeGet,
  safeGetString,
} from '@faultline/core/adapter';

const FRAMEWORK_CODES: Readonly<Record<string, Category>> = {
  FST_ERR_VALIDATION: 'validation',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation',
  FST_ERR_BAD_URL: 'validation',
  FST_ERR_MAX_PARAM_LENGTH: 'validation',
  FST_ERR_NOT_FOUND: 'not_found',
  FST_ERR_HANDLER_TIMEOUT: 'timeout',
  FST_ERR_ASYNC_CONSTRAINT: 'internal',
  FST_ERR_REP_INVALID_PAYLOAD_TYPE: 'internal',
  FST_ERR_FAILED_ERROR_SERIALIZATION: 'internal',
  FST_ERR_BAD_STATUS_CODE: 'internal',
  FST_ERR_CTP_INVALID_TYPE: 'internal',
  FST_ERR_CTP_EMPTY_TYPE: 'internal',
  // @fastify/rate-limit, @fastify/under-pressure and @fastify/csrf-protection
  FST_ERR_RATE_LIMIT_EXCEEDED: 'rate_limited',
  FST_UNDER_PRESSURE: 'unavailable',
  FST_CSRF_INVALID_TOKEN: 'forbidden',
  FST_CSRF_MISSING_SECRET: 'forbidden',
  // @fastify/jwt: the client's token
  FST_JWT_NO_AUTHORIZATION_IN_HEADER: 'unauthenticated',
  FST_JWT_AUTHORIZATION_TOKEN_EXPIRED: 'unauthenticated',
  FST_JWT_AUTHORIZATION_TOKEN_INVALID: 'unauthenticated',
  FST_JWT_AUTHORIZATION_TOKEN_UNTRUSTED: 'unauthenticated',
  FST_JWT_BAD_REQUEST: 'unauthenticated',
  FST_JWT_NO_AUTHORIZATION_IN_COOKIE: 'unauthenticated',
};

const CONTEXT_PREFIX: Readonly<Record<string, string>> = {
  body: '',
  querystring: '/query',
  params: '/params',
  headers: '/headers',
};

/**
 * Field violations of a Fastify validation error: Ajv's instance paths as JSON Pointers, under
 * `/query`, `/params` or `/headers` when the failing part is not the body; generic text only.
 */
export function fastifyViolations(error: object): FieldViolation[] {
  const validation = safeGet(error, 'validation');
  const items = Array.isArray(validation) ? validation.slice(0, 20) : [];
  const context = safeGetString(error, 'validationContext', 32) ?? 'body';
  const prefix = CONTEXT_PREFIX[context] ?? '';
  return fieldViolationsFromAjv(items).map((v) => ({ pointer: `${prefix}${v.pointer}`, detail: v.detail }));
}

/** Classifier for Fastify's framework errors (give it to `capture` before the built-in ones). */
export const fastifyClassifier: Classifier = {
  name: 'fastify',
  classify(error) {
    const code = safeGetString(error, 'code', 64);
    if (code === undefined) return undefined;
    const category = FRAMEWORK_CODES[code];
    if (category === undefined) return undefined;
    if (code === 'FST_ERR_VALIDATION') {
      return { category, reason: `fastify:${code}`, fieldViolations: fastifyViolations(error) };
    }
    return { category, reason: `fastify:${code}` };
  },
};
