/**
 * Content-type parsers added with `addContentTypeParser`, guarded so that a failure is always a
 * failure. Fastify's parser runner tests a parser's error with `error != null`: a parser that
 * throws `null` or `undefined` synchronously, or returns a promise that rejects with one, was
 * taken for a parser that succeeded with an `undefined` body, and the route handler ran, so an
 * authentication or validation step written as a parser was bypassed. Guarded, such a value
 * reaches Fastify inside a carrier (an `Error`, thrown-carrier.ts): the request fails with
 * Faultline's answer, which `captureFor` gives for the value itself, and one record under its id.
 * Fastify also reads `then` of what a parser returns outside any `try`: a returned Proxy, or an
 * object whose `then` throws when read or called, was an uncaught exception (a crash) and the
 * request was never answered; here the parser fails with it instead.
 *
 * A callback parser's `done(null)` or `done(undefined)` stays a success: it is Fastify's own
 * contract (`done(null, body)`), and `done()` is how a pass-through parser says "no body". Other
 * falsy values passed to `done` (`0`, `''`, `false`) are failures for Fastify already.
 *
 * Cost per parsed request: a wrapper call; for a parser returning a promise, the two reactions
 * Fastify would attach are attached here instead (Fastify then attaches none), one closure more.
 */
import { carryThrown } from '@faultline/core/adapter';

/** Parsers this module made, so one seen twice is wrapped once. */
const guarded = new WeakSet<object>();

/** A parser as Fastify calls it (`this` is Fastify's parser record). */
type Parser = (this: unknown, request: unknown, payload: unknown, done: Done) => unknown;
type Done = (error: unknown, body?: unknown) => void;

/** `error`, or a carrier for it when Fastify would take it for "no error". */
function failure(error: unknown): unknown {
  return error === null || error === undefined ? carryThrown(error, 'a content-type parser') : error;
}

/**
 * `parser` wrapped so that a thrown or rejected `null` or `undefined` fails the request, as any
 * other thrown value does. Anything that is not a function is returned as it is (Fastify refuses it).
 */
export function guardParser<F>(parser: F): F {
  if (typeof parser !== 'function' || guarded.has(parser)) return parser;
  const original = parser as unknown as Parser;
  const wrapped = function guardedParser(this: unknown, request: unknown, payload: unknown, done: Done): unknown {
    let result: unknown;
    try {
      result = original.call(this, request, payload, done);
    } catch (error) {
      throw failure(error); // Fastify passes it to `done`
    }
    // Fastify's own test for a promise, and its own reactions, with the rejection carried.
    try {
      if (!result || typeof (result as { then?: unknown }).then !== 'function') return result;
      (result as PromiseLike<unknown>).then(
        (body) => done(null, body),
        (error: unknown) => done(failure(error)),
      );
    } catch (error) {
      // A promise-like whose `then` throws when read or called (out of Fastify's runner: uncaught).
      done(failure(error));
    }
    return undefined;
  };
  guarded.add(wrapped);
  return wrapped as unknown as F;
}

/** `addContentTypeParser(type, [options,] parser)` as Fastify declares it. */
type AddParser = (this: unknown, contentType: unknown, options: unknown, parser?: unknown) => unknown;

/**
 * Parsers added with `addContentTypeParser` from now on, on `app` and the scopes it encloses, are
 * guarded (child scopes are created from this instance, so they inherit the guarding method).
 * Parsers added before are guarded in Fastify's table at registration (early-registrations.ts).
 */
export function guardAddedParsers(app: object): void {
  const target = app as { addContentTypeParser: AddParser };
  const add = target.addContentTypeParser;
  target.addContentTypeParser = function addGuardedParser(this: unknown, contentType, options, parser) {
    // The two-argument form passes the parser where the options go.
    if (typeof options === 'function') return add.call(this, contentType, guardParser(options));
    return add.call(this, contentType, options, guardParser(parser));
  };
}
