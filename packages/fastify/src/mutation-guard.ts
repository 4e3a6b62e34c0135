/**
 * Thrown values Fastify writes fields onto, guarded. In strict mode Fastify 5 writes
 * `serialization` onto what a reply serializer or a response schema's serializer throws
 * (lib/reply.js `wrapSerializationError`), `statusCode` onto what a validator throws, and
 * `statusCode`, `code` and `validationContext` onto the error a validator returns or rejects with
 * (lib/validation.js). On a frozen, sealed or non-extensible error, a primitive, a Proxy, or a
 * field that is read-only or has a setter, that write throws a TypeError which Fastify then sends
 * in place of the value: the answer and the record were the TypeError's (a frozen pg 23505 error
 * answered 500, not 409). An async validator rejecting with `null` or `undefined` even passed
 * validation. Such values are handed to Fastify inside core's carrier, which `captureFor` opens,
 * so the answer and the record are the value's own. Values Fastify can write onto pass as they
 * are. Only serializers and validator compilers the application sets are wrapped; Fastify's own
 * (Ajv, fast-json-stringify) are left as they are, so routes without them pay nothing.
 */

import { types } from 'node:util';
import { carryThrown, chainDescriptor } from '@faultline/core/adapter';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { fastifySymbol } from './fastify-symbols.js';

/** The fields Fastify writes onto a serializer's failure. */
const SERIALIZATION_FIELDS = ['serialization'] as const;
/** The fields Fastify reads and writes on a validator's failure. */
export const VALIDATION_FIELDS = ['statusCode', 'code', 'validationContext'] as const;

/** Functions this module made, so one seen twice is wrapped once. */
const guarded = new WeakSet<object>();

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** True when `value` is an object whose `fields` can be read and assigned without running code of its or throwing. */
export function writableFields(value: unknown, fields: readonly string[]): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  if (types.isProxy(value) || !Object.isExtensible(value)) return false;
  return fields.every((field) => {
    const descriptor = chainDescriptor(value, field);
    if (descriptor === undefined) return true;
    return descriptor !== null && 'value' in descriptor && descriptor.writable === true;
  });
}

/** `value` itself when Fastify can write `fields` onto it, else a carrier for it. */
function writableThrow(value: unknown, fields: readonly string[], past: string): unknown {
  return writableFields(value, fields) ? value : carryThrown(value, past);
}

/** A validator's failure as Fastify can mark it: a native `Error` it can write onto, else a carrier. */
function validationThrow(value: unknown): unknown {
  return types.isNativeError(value) && writableFields(value, VALIDATION_FIELDS)
    ? value
    : carryThrown(value, "Fastify's validation");
}

/** `fn` wrapped so that what it throws reaches Fastify as a value Fastify can write `serialization` onto. */
export function guardSerializer<F>(fn: F): F {
  if (typeof fn !== 'function' || guarded.has(fn)) return fn;
  const original = fn as unknown as AnyFunction;
  const wrapped = function guardedSerializer(this: unknown, ...args: unknown[]) {
    try {
      return Reflect.apply(original, this, args);
    } catch (error) {
      throw writableThrow(error, SERIALIZATION_FIELDS, "Fastify's serializer");
    }
  };
  guarded.add(wrapped);
  return wrapped as unknown as F;
}

/** `result`'s `error` when it is an own data property (what Fastify reads of a validator's result). */
function returnedError(result: unknown): unknown {
  if (typeof result !== 'object' || result === null || types.isProxy(result)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(result, 'error');
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}

/** A validator's result, its returned error carried when Fastify cannot mark it. */
function validatorResult(result: unknown): unknown {
  if (types.isPromise(result)) {
    return Promise.prototype.then.call(result, undefined, (error: unknown) => {
      throw validationThrow(error);
    });
  }
  const error = returnedError(result);
  // Primitives are Fastify's `errors` for the schema error formatter: only objects are written onto.
  if ((typeof error !== 'object' && typeof error !== 'function') || error === null) return result;
  return writableFields(error, VALIDATION_FIELDS) ? result : { error: carryThrown(error, "Fastify's validation") };
}

/** `validate` wrapped; its `errors` (Ajv's) and `schemaEnv`, which Fastify reads, stay reachable. */
function guardValidator(validate: unknown): unknown {
  if (typeof validate !== 'function' || guarded.has(validate)) return validate;
  const original = validate as AnyFunction & Record<string, unknown>;
  const wrapped = function guardedValidator(this: unknown, ...args: unknown[]) {
    let result: unknown;
    try {
      result = Reflect.apply(original, this, args);
    } catch (error) {
      throw validationThrow(error);
    }
    return validatorResult(result);
  };
  for (const key of ['errors', 'schemaEnv']) {
    if (!(key in original)) continue;
    Object.defineProperty(wrapped, key, {
      get: () => original[key],
      set: (value: unknown) => {
        original[key] = value;
      },
      configurable: true,
    });
  }
  guarded.add(wrapped);
  return wrapped;
}

/** A compiler whose compiled functions are wrapped with `guard`. */
function guardCompiler<F>(compiler: F, guard: (fn: unknown) => unknown): F {
  if (typeof compiler !== 'function' || guarded.has(compiler)) return compiler;
  const original = compiler as unknown as AnyFunction;
  const wrapped = function guardedCompiler(this: unknown, ...args: unknown[]) {
    return guard(Reflect.apply(original, this, args));
  };
  guarded.add(wrapped);
  return wrapped as unknown as F;
}

/** Replaces `target[name]` (a setter method) with one that hands it `guard(argument)`. */
function guardSetter(target: Record<string, unknown>, name: string, guard: (fn: unknown) => unknown): void {
  const set = target[name];
  if (typeof set !== 'function') return;
  target[name] = function guardedSetter(this: unknown, fn: unknown, ...rest: unknown[]) {
    return Reflect.apply(set, this, [guard(fn), ...rest]);
  };
}

/**
 * Guards, in `app` and the scopes it encloses from now on: `reply.serializer(fn)`,
 * `setReplySerializer` (and the one `app` holds already), `setSerializerCompiler`, `setValidatorCompiler`, and a route's own
 * `serializerCompiler` and `validatorCompiler` (from an `onRoute` hook).
 */
export function guardFieldWrites(app: FastifyInstance): void {
  const serializerCompiler = (compiler: unknown) => guardCompiler(compiler, guardSerializer);
  const validatorCompiler = (compiler: unknown) => guardCompiler(compiler, guardValidator);
  const target = app as unknown as Record<string, unknown>;
  // A reply serializer set before the plugin loaded.
  const holder = app as unknown as Record<symbol, unknown>;
  const defaultSymbol = fastifySymbol(app, 'fastify.replySerializerDefault');
  if (defaultSymbol !== undefined && typeof holder[defaultSymbol] === 'function')
    holder[defaultSymbol] = guardSerializer(holder[defaultSymbol]);
  guardSetter(target, 'setReplySerializer', guardSerializer);
  guardSetter(target, 'setSerializerCompiler', serializerCompiler);
  guardSetter(target, 'setValidatorCompiler', validatorCompiler);
  const replySymbol = fastifySymbol(app, 'fastify.Reply');
  const Reply = replySymbol === undefined ? undefined : (app as unknown as Record<symbol, unknown>)[replySymbol];
  if (typeof Reply === 'function')
    guardSetter(Reply.prototype as Record<string, unknown>, 'serializer', guardSerializer);
  app.addHook('onRoute', (routeOptions: RouteOptions) => {
    if (routeOptions.serializerCompiler !== undefined)
      routeOptions.serializerCompiler = serializerCompiler(routeOptions.serializerCompiler) as never;
    if (routeOptions.validatorCompiler !== undefined)
      routeOptions.validatorCompiler = validatorCompiler(routeOptions.validatorCompiler) as never;
  });
}
