/**
 * Round 10's hostile thrown values for the HTTP adapters, the ones the earlier tables
 * (testkit's `EXTREME_VALUES`, the corpus, Express's `hostile-values.ts`) leave out: conversions
 * that return 10 MB, `__proto__` keys from `JSON.parse` holding a status and headers, a Buffer of
 * SQL, strings with CR/LF/NUL and lone surrogates, self-listing AggregateErrors, thenables that
 * never settle, errors claiming 302/1000/-1/NaN/'404' with `Location` to internal hosts, CRLF in
 * header values and a `Set-Cookie`, an `expose: true` 400 whose message is SQL (http-errors
 * style), getters throwing on `statusCode`/`status`/`headers` only, `null` and `undefined`. Each
 * has the status its answer must carry. Shared by the Fastify and Express round 10 tests.
 */

/** Planted in every value: never for the client. */
export const SECRET = 'hunter2-R10h';
/** SQL, a table, a path and an internal host, with the secret. */
export const SQL = `SELECT * FROM users_private WHERE pw='${SECRET}' /srv/app/db.ts db.internal:5432`;
/** An id a value tries to make the client see as the request's. */
export const FORGED_ID = '7c3e1f2a-9b4d-4e5f-8a6b-1c2d3e4f5a6b';
/** What no client may read (status line, headers or body), whatever the value. */
export const FORBIDDEN = [SECRET, 'users_private', 'db.internal', '/srv/', 'BBBBBBBB', FORGED_ID, 'SELECT', 'x-evil'];

let big: string | undefined;
/** A 10 MB text ending in {@link SQL}, made once. */
const tenMegabytes = (): string => {
  big ??= `${'B'.repeat(10 * 1024 * 1024)} ${SQL}`;
  return big;
};
const throwing = (): never => {
  throw new Error(SQL);
};
const EVERY_TRAP = ['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'set', 'defineProperty'];
/** A Proxy of an array whose every trap throws. */
const trapping = () => new Proxy([], Object.fromEntries(EVERY_TRAP.map((trap) => [trap, throwing])));

/** Headers a value asks the answer to carry: a cookie, a redirect to an internal host, CRLF. */
const evilHeaders = () => ({
  'Set-Cookie': `session=${SECRET}; Path=/`,
  Location: `http://db.internal/${SECRET}`,
  'X-Request-Id': FORGED_ID,
  'X-Evil': `a\r\nx-injected: ${SECRET}`,
});
/** An http-errors look-alike claiming `status`, exposing SQL and carrying {@link evilHeaders}. */
const claiming = (status: unknown) =>
  Object.assign(new Error(SQL), { status, statusCode: status, expose: true, headers: evilHeaders() });
/** An Error-like (Error's prototype: V8 refuses a getter for a real Error's `stack`) whose getters named `keys` throw. */
const gettersThrowing = (keys: readonly string[]) => {
  const error = Object.assign(Object.create(Error.prototype) as Error, { message: SQL, expose: true });
  for (const key of keys) Object.defineProperty(error, key, { get: throwing });
  return error;
};

/** A value's builder (a fresh value each call) and the HTTP status its answer must have. */
export interface Round10Value {
  readonly make: () => unknown;
  readonly status: number;
}
const internal = (make: () => unknown): Round10Value => ({ make, status: 500 });

/** Every value, by name. */
export const ROUND10_VALUES: Readonly<Record<string, Round10Value>> = {
  'toJSON, toString and Symbol.toPrimitive returning 10 MB': internal(() =>
    Object.assign(new Error(SQL), { toJSON: tenMegabytes, toString: tenMegabytes, [Symbol.toPrimitive]: tenMegabytes }),
  ),
  'a message of 10 MB via a getter': internal(() =>
    Object.defineProperty(new Error('x'), 'message', { get: tenMegabytes }),
  ),
  'every conversion throws': internal(() => ({
    [Symbol.toPrimitive]: throwing,
    toString: throwing,
    valueOf: throwing,
    toJSON: throwing,
    message: SQL,
  })),
  '__proto__ key from JSON holding a 404, expose and headers': internal(() =>
    JSON.parse(
      `{"__proto__":{"status":404,"statusCode":404,"expose":true,"message":"${SECRET}","headers":{"set-cookie":"s=${SECRET}","location":"http://db.internal/"}},"message":"${SECRET}"}`,
    ),
  ),
  '__proto__ key on an Error from JSON': internal(() =>
    Object.assign(
      new Error(SQL),
      JSON.parse(`{"__proto__":{"status":302,"headers":{"location":"http://db.internal/"}}}`),
    ),
  ),
  'a Buffer of SQL text': internal(() => Buffer.from(SQL)),
  'a string with CR/LF, NUL, a lone surrogate and a forged id': internal(
    () => `line\r\nx-request-id: ${FORGED_ID}\0\uD800 ${SQL}`,
  ),
  'an Error whose message, code and name hold CR/LF, NUL, lone surrogates': internal(() =>
    Object.assign(new Error(`a\r\nx-evil: 1\0\uDC00${SQL}`), {
      code: 'E\r\nx-evil: 1\0\uD800',
      name: `N\r\n${SECRET}`,
    }),
  ),
  'an AggregateError in its own errors and cause': internal(() => {
    const aggregate = new AggregateError([], SQL) as AggregateError & { cause?: unknown };
    (aggregate.errors as unknown[]).push(aggregate, aggregate);
    aggregate.cause = aggregate;
    return aggregate;
  }),
  'an AggregateError whose errors is a throwing Proxy': internal(() =>
    Object.defineProperty(new AggregateError([], SQL), 'errors', { value: trapping() }),
  ),
  // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
  'a thenable that never settles': internal(() => ({ then() {}, message: SQL })),
  'status 302 with Location to an internal host': internal(() => claiming(302)),
  'status 200 with a Set-Cookie': internal(() => claiming(200)),
  'status 1000': internal(() => claiming(1000)),
  'status -1': internal(() => claiming(-1)),
  'status NaN': internal(() => claiming(Number.NaN)),
  "status '404' (a string)": internal(() => claiming('404')),
  'status 404 with CRLF in its headers': { make: () => claiming(404), status: 404 },
  'expose: true 400 whose message is SQL': { make: () => claiming(400), status: 400 },
  'getters throwing on statusCode, status and headers only': internal(() =>
    gettersThrowing(['statusCode', 'status', 'headers']),
  ),
  'getters throwing on message, stack, code, expose and cause': internal(() =>
    gettersThrowing(['message', 'stack', 'code', 'expose', 'cause']),
  ),
  'a revoked Proxy of a 404': internal(() => {
    const { proxy, revoke } = Proxy.revocable(claiming(404), {});
    revoke();
    return proxy;
  }),
  null: internal(() => null),
  undefined: internal(() => undefined),
};

/** The names, in order (a request names its value by index). */
export const ROUND10_NAMES = Object.keys(ROUND10_VALUES);

/** Makes the value at `index` (a route parameter or header). */
export function round10At(index: unknown): unknown {
  return (ROUND10_VALUES[ROUND10_NAMES[Number(index)] as string] as Round10Value).make();
}

/** The fragments of {@link FORBIDDEN} in `visible` (an answer's status line, headers and body). */
export function round10Leaks(visible: string): string[] {
  return FORBIDDEN.filter((fragment) => visible.includes(fragment));
}
