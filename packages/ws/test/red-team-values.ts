/**
 * Hostile thrown values for the red-team tests, each with the category every failure style must
 * answer: values no other table holds (a thrown rejecting Promise, thenables that misbehave,
 * BigInt, Symbol, functions, frozen and null-prototype objects, non-string or huge
 * `message`/`code`/`stack`, cycles) and hostile values that are still the client's (recoverable:
 * the socket must stay usable).
 */
import { FaultError } from '@faultline/core';

export const SECRET = 'hunter2-Rt7';
/** Nothing of a hostile value's text may appear in a frame, a close reason or an HTTP answer. */
export const FORBIDDEN = /hunter2|users_private|\/srv\/|10\.0\.0\.|\bat \/|SELECT|trap|getter/i;

const thrower = () => {
  throw new Error(`conversion ${SECRET}`);
};

/** A cause cycle between two errors. */
function cyclic(): Error {
  const a = new Error(`a ${SECRET}`) as Error & { cause?: unknown };
  a.cause = new Error(`b ${SECRET}`, { cause: a });
  return a;
}

/** An Error whose message, stack and code getters throw, with a client status that still classifies. */
function throwingGettersWithStatus(): Error {
  // Not `new Error()`: V8 formats an Error's stack (reading `message`) when `stack` is redefined.
  const error = Object.create(Error.prototype) as Error;
  for (const key of ['message', 'stack', 'code', 'name']) Object.defineProperty(error, key, { get: thrower });
  return Object.assign(error, { status: 404 });
}

/** Values by name: how to make one, and the category it is answered as. */
export const VALUES: Record<string, readonly [() => unknown, string]> = {
  // A fresh rejected promise: thrown, nobody else holds it (its rejection must not crash the process).
  'a thrown rejecting Promise': [() => Promise.reject(new Error(`inner ${SECRET} at /srv/app.js:1`)), 'internal'],
  'a thenable whose then throws': [
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
    () => ({ then: thrower, message: SECRET }),
    'internal',
  ],
  'a BigInt': [() => 12345678901234567890n, 'internal'],
  'a Symbol': [() => Symbol(SECRET), 'internal'],
  'a function named with the secret': [() => Object.defineProperty(() => 0, 'name', { value: SECRET }), 'internal'],
  'a frozen Error with non-string message, code and stack': [
    () =>
      Object.freeze(
        Object.assign(new Error(), { message: { toString: thrower }, code: 10n ** 30n, stack: [SECRET, '/srv/app'] }),
      ),
    'internal',
  ],
  'a null-prototype object with a 1 MB message': [
    () => Object.assign(Object.create(null), { message: `${'x'.repeat(1_000_000)}${SECRET}`, code: SECRET }),
    'internal',
  ],
  'a Proxy with throwing traps': [
    () => new Proxy({}, { get: thrower, has: thrower, ownKeys: thrower, getPrototypeOf: thrower, apply: thrower }),
    'internal',
  ],
  'a cause cycle between two errors': [cyclic, 'internal'],
  // Hostile, yet the client's: recoverable, the socket stays open.
  'an Error with throwing getters and status 404': [throwingGettersWithStatus, 'not_found'],
  'a null-prototype object with status 409': [
    () => Object.assign(Object.create(null), { status: 409, message: `SELECT * FROM users_private ${SECRET}` }),
    'conflict',
  ],
  'a frozen FaultError': [
    () => Object.freeze(FaultError.of('conflict', { message: `users_private ${SECRET}`, stack: false })),
    'conflict',
  ],
};

/** Plainer hostile values, for the failure paths added later (async listeners, 'connection' listeners). */
export const PLAIN_VALUES: Record<string, readonly [() => unknown, string]> = {
  null: [() => null, 'internal'],
  undefined: [() => undefined, 'internal'],
  'a string with the secret': [() => `thrown string ${SECRET} at /srv/app.js:1`, 'internal'],
  'an object whose valueOf and toString throw': [() => ({ valueOf: thrower, toString: thrower }), 'internal'],
  'an object whose stack and message getters throw': [
    () => Object.defineProperties({}, { stack: { get: thrower }, message: { get: thrower }, name: { get: thrower } }),
    'internal',
  ],
};

const ALL_VALUES = { ...VALUES, ...PLAIN_VALUES };

/** Makes the value `name` (of {@link VALUES} or {@link PLAIN_VALUES}). */
export function make(name: string): unknown {
  return (ALL_VALUES[name] as readonly [() => unknown, string])[0]();
}

/** The category `name` is answered as. */
export function categoryOf(name: string): string {
  return (ALL_VALUES[name] as readonly [() => unknown, string])[1];
}
