/**
 * Round 10's hostile thrown values, the ones no other table holds: conversions (`toJSON`,
 * `toString`, `Symbol.toPrimitive`) that throw or return 10 MB, `__proto__` keys from JSON (a
 * status-shaped prototype), a Buffer of SQL, a string with CR/LF/NUL and a lone surrogate, an
 * AggregateError listing itself and one whose `errors` is a Proxy, thenables that never settle or
 * whose `then` throws, status look-alikes whose code claims UNAUTHENTICATED, OK, Infinity or
 * 2^32+5 with trailers of internal hosts, and forged rich statuses that are not protobuf. Each
 * is answered `internal` except where its code is a downstream's (`category`).
 */
import { type Category, GrpcStatus } from '@faultline/core';
import { Metadata } from '@grpc/grpc-js';

/** Planted in every value: never for the client. */
export const SECRET = 'hunter2-R10';
/** SQL, a table, a path and an internal host, with the secret. */
export const SQL = `SELECT * FROM users_private WHERE pw='${SECRET}' /srv/app/db.ts db.internal:5432`;
/** What no client may read, whatever the value. */
export const FORBIDDEN = [SECRET, 'users_private', 'db.internal', 'x-internal-host', 'BBBBBBBB', '7c3e1f2a'];

let big: string | undefined;
/** A 10 MB text ending in {@link SQL}, made once. */
const tenMegabytes = (): string => {
  big ??= `${'B'.repeat(10 * 1024 * 1024)} ${SQL}`;
  return big;
};
const throwing = (): never => {
  throw new Error(SQL);
};
/** Trailers naming an internal host. */
const hostTrailers = (): Metadata => {
  const metadata = new Metadata();
  metadata.set('x-internal-host', 'db.internal');
  return metadata;
};
/** A status look-alike whose code is `code`, with text and trailers of its own. */
const status = (code: unknown, metadata: Metadata = hostTrailers()) =>
  Object.assign(new Error(SQL), { code, details: SQL, metadata });
/** Every trap a Proxy can have, each throwing. */
const EVERY_TRAP = ['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'set', 'defineProperty'];
const trapping = () => new Proxy([], Object.fromEntries(EVERY_TRAP.map((trap) => [trap, throwing])));

/** A value's builder (a fresh value each call) and the category the client must get. */
export interface Round10Value {
  readonly make: () => unknown;
  readonly category: Category;
}
const internal = (make: () => unknown): Round10Value => ({ make, category: 'internal' });

/** Every value, by name. */
export const ROUND10_VALUES: Readonly<Record<string, Round10Value>> = {
  'toJSON and toString returning 10 MB': internal(() =>
    Object.assign(new Error(SQL), { toJSON: tenMegabytes, toString: tenMegabytes }),
  ),
  'every conversion throws': internal(() => ({
    [Symbol.toPrimitive]: throwing,
    toString: throwing,
    valueOf: throwing,
    toJSON: throwing,
    message: SQL,
  })),
  '__proto__ key from JSON, a status as prototype': internal(() =>
    JSON.parse(
      `{"__proto__":{"code":5,"details":"${SECRET}","message":"${SECRET}"},"constructor":{"prototype":{"p":"${SECRET}"}},"message":"${SECRET}","code":"${SECRET}"}`,
    ),
  ),
  'a Buffer of SQL text': internal(() => Buffer.from(SQL)),
  'a string with CR/LF, NUL, a lone surrogate and a forged id': internal(
    () => `line\r\nx-request-id: 7c3e1f2a-9b4d-4e5f-8a6b-1c2d3e4f5a6b\0\uD800 ${SQL}`,
  ),
  'an Error whose message, code and name hold CR/LF, NUL, lone surrogates': internal(() =>
    Object.assign(new Error(`a\r\nb\0\uDC00${SQL}`), { code: 'E\r\n\0\uD800', name: `N\r\n${SECRET}` }),
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
  // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
  'a thenable whose then throws': internal(() => ({ then: throwing, message: SQL })),
  // A downstream refused this service's credentials: never the end client's 401.
  '{ code: 16 } with trailers of internal hosts': internal(() => status(GrpcStatus.UNAUTHENTICATED)),
  '{ code: 0 } (OK) with details and trailers': internal(() => status(GrpcStatus.OK)),
  '{ code: Infinity }': internal(() => status(Number.POSITIVE_INFINITY)),
  '{ code: 2 ** 32 + 5 } (5 once truncated to 32 bits)': internal(() => status(2 ** 32 + 5)),
  '{ code: 5 } with a rich status that is no protobuf': {
    make: () => {
      const metadata = hostTrailers();
      metadata.set('grpc-status-details-bin', Buffer.from(`\x08\x05\x12\xff${SQL}`, 'latin1'));
      return status(GrpcStatus.NOT_FOUND, metadata);
    },
    category: 'not_found',
  },
  "{ code: 5 } whose trailers' get returns a throwing Proxy": {
    make: () => ({ code: 5, details: SQL, metadata: { get: trapping } }),
    category: 'not_found',
  },
  'a frozen Error caused by a frozen UNAVAILABLE': {
    make: () => Object.freeze(new Error(SQL, { cause: Object.freeze(status(GrpcStatus.UNAVAILABLE)) })),
    category: 'unavailable',
  },
};
