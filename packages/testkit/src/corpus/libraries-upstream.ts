/**
 * Library errors about calls this service made: HTTP clients (axios, got, undici, node-fetch,
 * gaxios), HTTP error helpers (http-errors with headers, Boom and @hapi/wreck, @fastify/error) and
 * cloud SDKs (AWS SDK v3, Stripe). Part of `LIBRARY_VALUES` (libraries.ts).
 */
import { ServiceException } from '@smithy/smithy-client';
import { AxiosError, AxiosHeaders } from 'axios';
import createError from 'http-errors';
import { REDACTABLE_SECRET } from './extreme-text.js';
import { SQL, UPSTREAM_HEADERS, URL, value } from './library-parts.js';
import type { NativeValue } from './native.js';
import { classInstance, errorLike, SECRET } from './types.js';

/** axios with an answer of `status` from an upstream, credentials in its config. */
function axiosStatus(status: number): unknown {
  const config = {
    url: URL,
    method: 'post',
    headers: new AxiosHeaders({ Authorization: `Bearer ${REDACTABLE_SECRET}`, Cookie: `sid=${REDACTABLE_SECRET}` }),
    data: JSON.stringify({ card: SECRET }),
  };
  const response = { status, statusText: 'x', headers: UPSTREAM_HEADERS, config, data: { error: SECRET } };
  return new AxiosError(
    `Request failed with status code ${status}`,
    'ERR_BAD_REQUEST',
    config as never,
    {},
    response as never,
  );
}

/** got's `HTTPError`: `options` with the URL and headers, `response.statusCode`, `timings`. */
function gotStatus(statusCode: number): unknown {
  const options = { url: new globalThis.URL(URL), headers: { authorization: `Bearer ${REDACTABLE_SECRET}` } };
  return errorLike('HTTPError', `Response code ${statusCode} (Not Found)`, {
    code: 'ERR_NON_2XX_3XX_RESPONSE',
    options,
    response: { statusCode, headers: UPSTREAM_HEADERS, body: SECRET, url: URL },
    timings: { start: 1, phases: { total: 3 } },
  });
}

/** undici's `ResponseStatusCodeError` (`throwOnError`): `status`/`statusCode`, the upstream's `headers`, `body`. */
function undiciStatus(statusCode: number): unknown {
  return errorLike('ResponseStatusCodeError', `Response status code ${statusCode}: ${SECRET}`, {
    code: 'UND_ERR_RESPONSE_STATUS_CODE',
    body: { error: SECRET },
    status: statusCode,
    statusCode,
    headers: UPSTREAM_HEADERS,
  });
}

/** An AWS SDK v3 exception as the smithy client deserialises it, with `$response` and `$retryable`. */
function aws(name: string, $fault: 'client' | 'server', httpStatusCode: number, extra: Record<string, unknown> = {}) {
  const exception = new ServiceException({
    name,
    $fault,
    message: `${name} on arn:aws:sqs:eu-west-1:123456789012:orders-${SECRET}`,
    $metadata: { httpStatusCode, requestId: 'req_8f3a', attempts: 3, totalRetryDelay: 900 },
  });
  // The deserializer middleware attaches the raw answer; modelled errors carry their retry trait.
  return Object.assign(exception, {
    $response: { statusCode: httpStatusCode, headers: { ...UPSTREAM_HEADERS, authorization: REDACTABLE_SECRET } },
    ...extra,
  });
}

/** A Boom error (`@hapi/boom`): `isBoom`, `output` with the status, headers and payload, `data`. */
function boom(statusCode: number, data: unknown = null): Error {
  const headers = statusCode === 401 ? { 'WWW-Authenticate': `Bearer realm="payments.internal" ${SECRET}` } : {};
  return errorLike('Error', `order of ${SECRET} in users_private`, {
    isBoom: true,
    isServer: statusCode >= 500,
    data,
    output: { statusCode, headers, payload: { statusCode, error: 'x', message: `users_private ${SECRET}` } },
    typeof: function boomFactory() {},
  });
}

/** A Stripe error (stripe-node's `StripeError`): `type`, `raw`, the API's `headers`, `requestId`, `statusCode`. */
function stripe(type: string, statusCode: number, code: string): Error {
  const raw = {
    message: `Your card was declined ${SECRET}`,
    type: 'card_error',
    code,
    statusCode,
    headers: UPSTREAM_HEADERS,
  };
  return classInstance(type, raw.message, {
    type,
    raw,
    rawType: raw.type,
    code,
    decline_code: 'card_declined',
    headers: UPSTREAM_HEADERS,
    requestId: 'req_8f3a',
    statusCode,
  });
}

/** The HTTP client, HTTP helper and cloud SDK values, by name. */
export const UPSTREAM_LIBRARY_VALUES: Readonly<Record<string, NativeValue>> = {
  'axios upstream 409': value(() => axiosStatus(409), 'internal', ['AxiosError', '409']),
  'got HTTPError 404': value(() => gotStatus(404), 'internal', ['HTTPError', '404']),
  'got TimeoutError': value(
    () =>
      errorLike('TimeoutError', `Timeout awaiting 'request' for 5000ms ${URL}`, {
        code: 'ETIMEDOUT',
        event: 'request',
        timings: { start: 1 },
        options: { url: URL },
      }),
    'timeout',
    ['TimeoutError', 'ETIMEDOUT'],
  ),
  'undici ResponseStatusCodeError 404': value(() => undiciStatus(404), 'internal', ['UND_ERR_RESPONSE_STATUS_CODE']),
  'undici ResponseStatusCodeError 503': value(() => undiciStatus(503), 'unavailable', ['UND_ERR_RESPONSE_STATUS_CODE']),
  'undici ResponseStatusCodeError 429': value(() => undiciStatus(429), 'unavailable', ['UND_ERR_RESPONSE_STATUS_CODE']),
  'node-fetch FetchError system': value(
    () =>
      errorLike('FetchError', `request to ${URL} failed, reason: connect ECONNREFUSED 10.9.8.7:8443`, {
        type: 'system',
        errno: 'ECONNREFUSED',
        code: 'ECONNREFUSED',
        erroredSysCall: 'connect',
      }),
    'unavailable',
    ['FetchError', 'ECONNREFUSED'],
  ),
  'node-fetch FetchError request-timeout': value(
    () => errorLike('FetchError', `network timeout at: ${URL}`, { type: 'request-timeout' }),
    'timeout',
    ['FetchError', 'request-timeout'],
  ),
  'node-fetch FetchError max-size': value(
    () => errorLike('FetchError', `content size at ${URL} over limit: 1048576`, { type: 'max-size' }),
    'internal',
    ['FetchError', 'max-size'],
  ),
  'gaxios GaxiosError 404': value(
    () =>
      errorLike('GaxiosError', `Request failed with status code 404 ${SECRET}`, {
        config: { url: URL, headers: { Authorization: `Bearer ${REDACTABLE_SECRET}` } },
        response: { status: 404, headers: UPSTREAM_HEADERS, data: { error: SECRET }, config: { url: URL } },
        status: 404,
        code: '404',
      }),
    'internal',
    ['GaxiosError', '404'],
  ),
  'http-errors 401 with Set-Cookie and WWW-Authenticate': value(
    () =>
      createError(401, `token of ${SECRET} expired`, {
        headers: { 'Set-Cookie': `sid=${REDACTABLE_SECRET}`, 'WWW-Authenticate': `Bearer realm="payments.internal"` },
      }),
    'unauthenticated',
    ['UnauthorizedError'],
  ),
  'http-errors 302 with Location': value(
    () => createError(302, `moved ${SECRET}`, { headers: { Location: URL } }),
    'internal',
    ['moved'],
  ),
  'Boom 404': value(() => boom(404, { row: SECRET }), 'not_found', ['404']),
  'Boom 401 with WWW-Authenticate': value(() => boom(401), 'unauthenticated', ['401']),
  'Boom 500 badImplementation': value(() => boom(500, { sql: SQL }), 'internal', ['500']),
  'wreck Boom 404 from an upstream': value(
    () => boom(404, { isResponseError: true, headers: UPSTREAM_HEADERS, payload: SECRET, res: { statusCode: 404 } }),
    'internal',
    ['404'],
  ),
  '@fastify/error 409': value(
    () => errorLike('FastifyError', `order ${SECRET} exists`, { code: 'APP_ORDER_EXISTS', statusCode: 409 }),
    'conflict',
    ['APP_ORDER_EXISTS'],
  ),
  'aws ThrottlingException with $response': value(
    () => aws('ThrottlingException', 'client', 400, { $retryable: { throttling: true } }),
    'unavailable',
    ['ThrottlingException'],
  ),
  'aws RequestThrottled (SQS)': value(
    () => aws('RequestThrottled', 'client', 403, { $retryable: { throttling: true } }),
    'unavailable',
    ['RequestThrottled'],
  ),
  'aws 429 of an unnamed throttle': value(() => aws('TooManyRequests', 'client', 429), 'unavailable', ['429']),
  'aws AccessDeniedException': value(() => aws('AccessDeniedException', 'client', 403), 'internal', [
    'AccessDeniedException',
  ]),
  'stripe StripeCardError 402': value(() => stripe('StripeCardError', 402, 'card_declined'), 'internal', [
    'StripeCardError',
    '402',
  ]),
  'stripe StripeRateLimitError 429': value(() => stripe('StripeRateLimitError', 429, 'rate_limit'), 'unavailable', [
    'StripeRateLimitError',
    '429',
  ]),
};
