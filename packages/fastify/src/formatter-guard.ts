/**
 * The application's `schemaErrorFormatter`, guarded so that a validation failure stays one.
 * Fastify sends what the formatter returns with `reply.send`, which treats it as an error only
 * when it is an `Error`: a formatter returning anything else (a plain object with the message,
 * a string, a function) turned the request's invalid input into a 200 answer carrying that value
 * (or, for a string, a `TypeError` quoting it). The guarded formatter returns a plain `Error` in
 * place of any value that is not a native one, which Fastify then marks as the validation error
 * it is (400, with the violations). A formatter that throws still fails the request (500, as any
 * error of the application's). An `Error` Fastify cannot write its marks onto (frozen, sealed,
 * read-only or setter fields) is returned as the `cause` of a plain one, for the same reason.
 * Formatters run only for invalid requests: no cost otherwise.
 */
import { types } from 'node:util';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { fastifySymbol } from './fastify-symbols.js';
import { VALIDATION_FIELDS, writableFields } from './mutation-guard.js';

/** The fields Fastify writes onto a formatter's error (lib/validation.js `wrapValidationError`). */
const FORMATTED_FIELDS = [...VALIDATION_FIELDS, 'validation'];

/** A formatter as Fastify calls it. */
type Formatter = (this: unknown, errors: unknown, dataVar: unknown) => unknown;

/** Description of Fastify's symbol holding a scope's formatter (lib/symbols.js). */
const FORMATTER_DESCRIPTION = 'fastify.schemaErrorFormatter';

/** Formatters this module made, so one seen twice is wrapped once. */
const guarded = new WeakSet<object>();

/** `formatter` wrapped: what it returns is always an `Error` Fastify sends as one. */
export function guardFormatter<F>(formatter: F): F {
  if (typeof formatter !== 'function' || guarded.has(formatter) || types.isAsyncFunction(formatter)) return formatter;
  const original = formatter as unknown as Formatter;
  const wrapped = function guardedSchemaErrorFormatter(this: unknown, errors: unknown, dataVar: unknown) {
    const result = original.call(this, errors, dataVar);
    if (!types.isNativeError(result) || types.isProxy(result))
      return new Error('schemaErrorFormatter returned a value that is not an Error');
    // Fastify writes `statusCode`, `code`, `validation` onto it: on one it cannot (frozen), the write's TypeError replaced it.
    return writableFields(result, FORMATTED_FIELDS)
      ? result
      : new Error('schemaErrorFormatter returned an Error Fastify cannot mark', { cause: result });
  };
  guarded.add(wrapped);
  return wrapped as unknown as F;
}

/**
 * Guards the formatter `app` holds (set in the server options), those set with
 * `setSchemaErrorFormatter` from now on in `app` and the scopes it encloses, and, from an
 * `onRoute` hook, a route's own.
 */
export function guardSchemaErrorFormatters(app: FastifyInstance): void {
  const holder = app as unknown as Record<symbol, unknown>;
  const symbol = fastifySymbol(app, FORMATTER_DESCRIPTION);
  if (symbol !== undefined && typeof holder[symbol] === 'function') holder[symbol] = guardFormatter(holder[symbol]);
  const target = app as unknown as { setSchemaErrorFormatter: (this: unknown, formatter: unknown) => unknown };
  const set = target.setSchemaErrorFormatter;
  target.setSchemaErrorFormatter = function setGuardedFormatter(this: unknown, formatter: unknown) {
    const result = set.call(this, formatter);
    // Fastify stores a bound copy: that copy is the one to guard.
    const own = this as Record<symbol, unknown>;
    if (symbol !== undefined && typeof own[symbol] === 'function') own[symbol] = guardFormatter(own[symbol]);
    return result;
  };
  app.addHook('onRoute', (routeOptions: RouteOptions) => {
    if (routeOptions.schemaErrorFormatter !== undefined)
      routeOptions.schemaErrorFormatter = guardFormatter(routeOptions.schemaErrorFormatter);
  });
}
