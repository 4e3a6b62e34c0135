/**
 * Red-team round 10's hostile thrown values that mean the same on every protocol, the ones the
 * earlier tables (`EXTREME_VALUES`, the corpus, the native values) leave out: conversions that
 * return 10 MB or throw, a Buffer of SQL, CR/LF/NUL and lone surrogates in a string and in an
 * Error's fields, AggregateErrors listing themselves or whose `errors` is a throwing Proxy,
 * thenables that never settle or whose `then` throws. Every one must be answered `internal`. Each
 * adapter's round 10 table adds its protocol's own (status look-alikes, forged trailers or close
 * codes) with the helpers below, planting its own `sql` text and `secret`.
 */

/** An id a value tries to make the client see as the request's. */
export const ROUND10_FORGED_ID = '7c3e1f2a-9b4d-4e5f-8a6b-1c2d3e4f5a6b';

/** Every trap a Proxy can have. */
const EVERY_TRAP = ['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'set', 'defineProperty'];

/** The builders of the hostile values for one table, and the pieces its own values are made of. */
export interface Round10Kit {
  /** A function that throws an Error whose message is the table's SQL. */
  readonly throwing: () => never;
  /** A 10 MB text ending in the table's SQL (made once per kit). */
  readonly tenMegabytes: () => string;
  /** A Proxy of `target` (an array by default) whose every trap throws. */
  readonly trapping: (target?: object) => object;
  /** The protocol-neutral values' builders (a fresh value each call), by name. */
  readonly values: Readonly<Record<string, () => unknown>>;
}

/** The round 10 kit for a table that plants `sql` (SQL, a table, a path, a host) and `secret`. */
export function round10Kit(sql: string, secret: string): Round10Kit {
  let big: string | undefined;
  const tenMegabytes = (): string => {
    big ??= `${'B'.repeat(10 * 1024 * 1024)} ${sql}`;
    return big;
  };
  const throwing = (): never => {
    throw new Error(sql);
  };
  const trapping = (target: object = []): object => {
    const traps = [...EVERY_TRAP, ...(typeof target === 'function' ? ['apply'] : [])];
    return new Proxy(target, Object.fromEntries(traps.map((trap) => [trap, throwing])));
  };
  const values: Record<string, () => unknown> = {
    'toJSON, toString and Symbol.toPrimitive returning 10 MB': () =>
      Object.assign(new Error(sql), {
        toJSON: tenMegabytes,
        toString: tenMegabytes,
        [Symbol.toPrimitive]: tenMegabytes,
      }),
    'a message of 10 MB via a getter': () => Object.defineProperty(new Error('x'), 'message', { get: tenMegabytes }),
    'every conversion throws': () => ({
      [Symbol.toPrimitive]: throwing,
      toString: throwing,
      valueOf: throwing,
      toJSON: throwing,
      message: sql,
    }),
    'a Buffer of SQL text': () => Buffer.from(sql),
    'a string with CR/LF, NUL, a lone surrogate and a forged id': () =>
      `line\r\nx-request-id: ${ROUND10_FORGED_ID}\0\uD800 ${sql}`,
    'an Error whose message, code and name hold CR/LF, NUL, lone surrogates': () =>
      Object.assign(new Error(`a\r\nx-evil: 1\0\uDC00${sql}`), {
        code: 'E\r\nx-evil: 1\0\uD800',
        name: `N\r\n${secret}`,
      }),
    'an AggregateError in its own errors and cause': () => {
      const aggregate = new AggregateError([], sql) as AggregateError & { cause?: unknown };
      (aggregate.errors as unknown[]).push(aggregate, aggregate);
      aggregate.cause = aggregate;
      return aggregate;
    },
    'an AggregateError whose errors is a throwing Proxy': () =>
      Object.defineProperty(new AggregateError([], sql), 'errors', { value: trapping() }),
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
    'a thenable that never settles': () => ({ then() {}, message: sql }),
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
    'a thenable whose then throws': () => ({ then: throwing, message: sql }),
  };
  return { throwing, tenMegabytes, trapping, values };
}
