/**
 * Round 10's hostile thrown values for WebSocket, the ones no other table holds: conversions that
 * throw or return 10 MB, `__proto__` keys from JSON (an exposed 404 as prototype), a Buffer of
 * SQL, CR/LF/NUL and lone surrogates, self-listing AggregateErrors and one whose `errors` is a
 * Proxy, thenables that never settle or whose `then` throws, a close code and a status out of any
 * range, a `Retry-After` header carrying CR/LF, every Proxy trap throwing. Each is `internal`
 * but the 429, an upstream's throttle: `unavailable` ({@link categoryOf}).
 */

/** Planted in every value: never for the client. */
export const SECRET = 'hunter2-R10';
/** SQL, a table, a path and an internal host, with the secret. */
export const SQL = `SELECT * FROM users_private WHERE pw='${SECRET}' /srv/app/db.ts db.internal:5432`;
/** What no frame, close reason or HTTP answer may hold. */
export const FORBIDDEN = /hunter2|users_private|\/srv\/|db\.internal|BBBBBBBB|SELECT|7c3e1f2a/;

let big: string | undefined;
/** A 10 MB text ending in {@link SQL}, made once. */
const tenMegabytes = (): string => {
  big ??= `${'B'.repeat(10 * 1024 * 1024)} ${SQL}`;
  return big;
};
const throwing = (): never => {
  throw new Error(SQL);
};
const TRAPS = ['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'set', 'defineProperty', 'apply'];
const trapping = () => new Proxy(() => undefined, Object.fromEntries(TRAPS.map((trap) => [trap, throwing])));

/** Every value's builder (a fresh value each call), by name. */
export const ROUND10_VALUES: Readonly<Record<string, () => unknown>> = {
  'toJSON and toString returning 10 MB': () =>
    Object.assign(new Error(SQL), { toJSON: tenMegabytes, toString: tenMegabytes }),
  'every conversion throws': () => ({
    [Symbol.toPrimitive]: throwing,
    toString: throwing,
    valueOf: throwing,
    toJSON: throwing,
    message: SQL,
  }),
  '__proto__ key from JSON, an exposed 404 as prototype': () =>
    JSON.parse(
      `{"__proto__":{"status":404,"statusCode":404,"expose":true,"message":"${SECRET}"},"message":"${SECRET}","code":"${SECRET}"}`,
    ),
  'a Buffer of SQL text': () => Buffer.from(SQL),
  'a string with CR/LF, NUL, a lone surrogate and a forged id': () =>
    `line\r\nx-request-id: 7c3e1f2a-9b4d-4e5f-8a6b-1c2d3e4f5a6b\0\uD800 ${SQL}`,
  'an Error whose message, code and name hold CR/LF, NUL, lone surrogates': () =>
    Object.assign(new Error(`a\r\nb\0\uDC00${SQL}`), { code: 'E\r\n\0\uD800', name: `N\r\n${SECRET}` }),
  'an AggregateError in its own errors and cause': () => {
    const aggregate = new AggregateError([], SQL) as AggregateError & { cause?: unknown };
    (aggregate.errors as unknown[]).push(aggregate, aggregate);
    aggregate.cause = aggregate;
    return aggregate;
  },
  'an AggregateError whose errors is a throwing Proxy': () =>
    Object.defineProperty(new AggregateError([], SQL), 'errors', { value: trapping() }),
  // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
  'a thenable that never settles': () => ({ then() {}, message: SQL }),
  // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
  'a thenable whose then throws': () => ({ then: throwing, message: SQL }),
  'a close code 1000 and a status 4000': () =>
    Object.assign(new Error(SQL), {
      code: 1000,
      closeCode: 1000,
      wsCloseCode: 1000,
      status: 4000,
      statusCode: Number.NaN,
    }),
  'a 429 whose Retry-After carries CR/LF': () =>
    Object.assign(new Error(SQL), {
      status: 429,
      headers: { 'retry-after': `1\r\nx: ${SECRET}` },
      retryAfter: `9${SECRET}`,
    }),
  'a Proxy of a function, every trap throwing': trapping,
};

/** The category the client must get for the value named `name`. */
export function categoryOf(name: string): 'internal' | 'unavailable' {
  return name === 'a 429 whose Retry-After carries CR/LF' ? 'unavailable' : 'internal';
}
