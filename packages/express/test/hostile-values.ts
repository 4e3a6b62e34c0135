/**
 * Hostile thrown values the corpus leaves out or holds in one shape only, each with the status an
 * Express answer must have: a Proxy that throws on every trap (`instanceof` included), getters
 * that throw, conversions to a primitive that throw, frozen and null-prototype values, huge or
 * non-string `message`/`code`/`status`/`statusCode`/`headers`/`expose`, cyclic causes, BigInt,
 * Symbol, functions, a thrown Promise (handled, unhandled, never settling) or thenable, and http-errors look-alikes whose `status` is
 * 200, 999, '500' or NaN and whose `headers` try to set `Set-Cookie`, `Location` and
 * `X-Request-Id`. Every one carries {@link SECRET} where a careless reader would copy it from.
 */

/** In every value: must never reach the client. */
export const SECRET = 'hunter2-Kp4';
/** An id the values try to make the client see as theirs. */
export const FORGED_ID = '7c3e1f2a-9b4d-4e5f-8a6b-1c2d3e4f5a6b';
/** What must never appear in an answer, anywhere. */
export const FORBIDDEN = [SECRET, FORGED_ID, 'users_private', '/srv/', 'vault.internal', '<html', '    at '];

const fail = (what: string) => () => {
  throw new Error(`${what} ${SECRET}`);
};

/** A Proxy whose every trap throws (reading, `instanceof`, `in`, keys, descriptors, calls). */
function trapEverything(target: object = {}): object {
  const trap = fail('trap');
  return new Proxy(target, {
    get: trap,
    has: trap,
    ownKeys: trap,
    getPrototypeOf: trap,
    getOwnPropertyDescriptor: trap,
    defineProperty: trap,
    set: trap,
    deleteProperty: trap,
    isExtensible: trap,
    preventExtensions: trap,
    setPrototypeOf: trap,
    apply: trap,
    construct: trap,
  });
}

/** An Error whose every property a reader might want is a throwing getter. */
function throwingGetters(): Error {
  const error = Object.create(Error.prototype) as Error;
  for (const key of ['message', 'stack', 'name', 'code', 'cause', 'status', 'statusCode', 'expose', 'headers', 'then'])
    Object.defineProperty(error, key, { get: fail(`getter ${key}`) });
  return error;
}

/** An object whose conversions to a primitive throw. */
const unconvertible = () => ({
  [Symbol.toPrimitive]: fail('convert'),
  toString: fail('convert'),
  valueOf: fail('convert'),
});

/** An http-errors look-alike with `status`, exposing its message and carrying headers of its own. */
function carrying(status: unknown): Error {
  return Object.assign(new Error(`SELECT * FROM users_private ${SECRET}`), {
    status,
    statusCode: status,
    expose: true,
    headers: {
      'Set-Cookie': `session=${SECRET}; Path=/`,
      Location: `https://vault.internal/${SECRET}`,
      'X-Request-Id': FORGED_ID,
    },
  });
}

/** One hostile value and the status its answer must have. */
export interface HostileValue {
  readonly make: () => unknown;
  readonly status: number;
}

/** The hostile values by name. */
export const HOSTILE: Record<string, HostileValue> = {
  'Proxy throwing on every trap': { make: () => trapEverything(), status: 500 },
  'Proxy of an Error throwing on every trap': { make: () => trapEverything(new Error(SECRET)), status: 500 },
  'Error with throwing getters': { make: throwingGetters, status: 500 },
  'object with throwing toString and Symbol.toPrimitive': { make: unconvertible, status: 500 },
  'Error with throwing toString': {
    make: () => Object.assign(new Error(SECRET), { toString: fail('toString') }),
    status: 500,
  },
  'frozen Error with status 404': {
    make: () => Object.freeze(Object.assign(new Error(`no row in users_private ${SECRET}`), { status: 404 })),
    status: 404,
  },
  'null-prototype object with message, code and status': {
    make: () => Object.assign(Object.create(null), { message: SECRET, code: '23505', status: 'x' }),
    status: 500,
  },
  'huge message, code, status and statusCode': {
    make: () =>
      Object.assign(new Error(`${'m'.repeat(1_000_000)} ${SECRET}`), {
        code: `${'E'.repeat(1_000_000)} ${SECRET}`,
        status: `${'5'.repeat(100_000)}`,
        statusCode: 10 ** 300,
      }),
    status: 500,
  },
  'non-string message, code, status, headers and expose': {
    make: () =>
      Object.defineProperties(Object.create(Error.prototype) as Error, {
        message: { value: Symbol(SECRET) },
        code: { value: unconvertible() },
        status: { value: 404n },
        statusCode: { value: Number.NaN },
        headers: { value: trapEverything() },
        expose: { value: trapEverything() },
        stack: { value: 42 },
      }),
    status: 500,
  },
  'cyclic causes': {
    make: () => {
      const outer = new Error(`outer ${SECRET}`) as Error & { cause?: unknown };
      const inner = new Error(`inner at /srv/app/db.js:1 ${SECRET}`, { cause: outer });
      outer.cause = inner;
      return outer;
    },
    status: 500,
  },
  BigInt: { make: () => 2n ** 90n, status: 500 },
  Symbol: { make: () => Symbol(SECRET), status: 500 },
  'function with a status 404': { make: () => Object.assign(() => SECRET, { status: 404 }), status: 404 },
  'thrown rejected Promise (handled)': {
    make: () => {
      const promise = Promise.reject(new Error(`rejected ${SECRET}`));
      promise.catch(() => undefined);
      return promise;
    },
    status: 500,
  },
  'thrown rejecting Promise (nothing else handles it)': {
    make: () => Promise.reject(new Error(`rejected at /srv/app/db.js ${SECRET}`)),
    status: 500,
  },
  'thrown Promise that never settles': { make: () => new Promise(() => undefined), status: 500 },
  'thenable whose then throws': {
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of this value
    make: () => ({ then: fail('then'), message: SECRET }),
    status: 500,
  },
  'status 200, headers and expose': { make: () => carrying(200), status: 500 },
  'status 999, headers and expose': { make: () => carrying(999), status: 500 },
  "status '500', headers and expose": { make: () => carrying('500'), status: 500 },
  'status NaN, headers and expose': { make: () => carrying(Number.NaN), status: 500 },
  'status 500, headers and expose': { make: () => carrying(500), status: 500 },
  'status 404, headers and expose': { make: () => carrying(404), status: 404 },
};

/** The names, in order (route indexes). */
export const HOSTILE_NAMES = Object.keys(HOSTILE);

/** Makes the value at `index` (as a route parameter). */
export function hostileAt(index: unknown): unknown {
  return (HOSTILE[HOSTILE_NAMES[Number(index)] as string] as HostileValue).make();
}
