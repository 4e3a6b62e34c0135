/**
 * Foreign HTTP statuses: errors built with `http-errors` / `@fastify/sensible`
 * (`createError(404)`, `reply.notFound()`) and ordinary errors carrying `status`/`statusCode`.
 * A 4xx status selects the category; its text never goes out (the message stays the taxonomy's,
 * `expose` is ignored). A 5xx or any other number is `internal`. An error that describes a call
 * this service made (it carries a `response`, `request` or `config` object, or `headers` without
 * http-errors' `expose` flag: an HTTP client's or SDK's error such as Stripe's or OpenAI's) is an
 * upstream's answer, mapped as one: an upstream 401/403 is never the client's. A `Response` the
 * application made itself and threw (`throw new Response(null, { status: 404 })`, the pattern of
 * Remix and of fetch-style routers) has no URL: its status is the application's, as an
 * http-errors status is; a fetched one (`if (!res.ok) throw res`) is an upstream's answer. Runs
 * after every structural classifier.
 */
import { isObjectLike, type ObjectLike, safeGet } from '../safe-access.js';
import type { Category } from '../taxonomy.js';
import type { Classifier } from './types.js';
import { categoryOfUpstreamStatus } from './upstream.js';

/** 4xx statuses with a category of their own; any other 4xx is `validation`. */
const CLIENT_STATUS: Readonly<Record<number, Category>> = {
  400: 'validation',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  410: 'not_found',
  411: 'validation',
  412: 'precondition_failed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'validation',
  428: 'precondition_failed',
  429: 'rate_limited',
  431: 'header_fields_too_large',
  499: 'cancelled',
};

/** Fields through which an HTTP client's error describes the call it made. */
const UPSTREAM_FIELDS = ['response', 'request', 'config'] as const;

const tagOf = Object.prototype.toString;

/**
 * True for a web `Response` the application constructed (its `url` is empty: a fetched one has
 * the URL it came from). The global is read only for a value tagged `Response` (reading it loads
 * Node's fetch the first time); its own getter is used, not one the value put in its place.
 */
function isConstructedResponse(error: ObjectLike): boolean {
  try {
    if (tagOf.call(error) !== '[object Response]') return false;
    const ResponseClass = (globalThis as { Response?: typeof Response }).Response;
    if (typeof ResponseClass !== 'function' || !(error instanceof ResponseClass)) return false;
    return Object.getOwnPropertyDescriptor(ResponseClass.prototype, 'url')?.get?.call(error) === '';
  } catch {
    return false;
  }
}

/** True when `error` describes a call this service made rather than the request it serves. */
function describesUpstreamCall(error: ObjectLike): boolean {
  if (isConstructedResponse(error)) return false;
  if (UPSTREAM_FIELDS.some((key) => isObjectLike(safeGet(error, key)))) return true;
  // http-errors (and @fastify/sensible) set `headers` for the response they describe, always with `expose`.
  return isObjectLike(safeGet(error, 'headers')) && typeof safeGet(error, 'expose') !== 'boolean';
}

/** The category of a foreign 4xx status (`undefined` for anything that is not an integer 400-499). */
export function categoryOfClientStatus(status: unknown): Category | undefined {
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499) return undefined;
  return CLIENT_STATUS[status] ?? 'validation';
}

/** `status` / `statusCode` of http-errors and plain errors. Give it the last word. */
export const httpStatusClassifier: Classifier = {
  name: 'http-status',
  classify(error: ObjectLike) {
    const status = safeGet(error, 'status');
    const statusCode = safeGet(error, 'statusCode');
    const value = typeof status === 'number' ? status : statusCode;
    if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
    if (describesUpstreamCall(error)) {
      return value >= 100 && value <= 599
        ? { category: categoryOfUpstreamStatus(value), reason: `upstream:${value}` }
        : undefined;
    }
    const category = categoryOfClientStatus(value);
    if (category !== undefined) return { category, reason: `status:${value}` };
    return value >= 100 && value <= 599 ? { category: 'internal', reason: `status:${value}` } : undefined;
  },
};

/**
 * `@hapi/boom` errors (`isBoom: true`): the status is in `output.statusCode`, trusted like
 * http-errors' (a 4xx selects the category, anything else is `internal`). A Boom that `@hapi/wreck`
 * made of an upstream's answer (`data.isResponseError`) is that upstream's status, mapped as one.
 */
export const boomClassifier: Classifier = {
  name: 'boom',
  classify(error: ObjectLike) {
    if (safeGet(error, 'isBoom') !== true) return undefined;
    const output = safeGet(error, 'output');
    const status = isObjectLike(output) ? safeGet(output, 'statusCode') : undefined;
    if (typeof status !== 'number' || !Number.isInteger(status)) return { category: 'internal', reason: 'boom' };
    const data = safeGet(error, 'data');
    if (isObjectLike(data) && safeGet(data, 'isResponseError') === true) {
      return status >= 100 && status <= 599
        ? { category: categoryOfUpstreamStatus(status), reason: `boom:upstream:${status}` }
        : { category: 'internal', reason: 'boom:upstream' };
    }
    const category = categoryOfClientStatus(status);
    return { category: category ?? 'internal', reason: `boom:${status >= 100 && status <= 599 ? status : 'other'}` };
  },
};
