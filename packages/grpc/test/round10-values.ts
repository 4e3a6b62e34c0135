/**
 * Round 10's hostile thrown values for gRPC: the protocol-neutral ones (testkit's `round10Kit`:
 * conversions that throw or return 10 MB, a Buffer of SQL, CR/LF/NUL and lone surrogates,
 * self-listing AggregateErrors, thenables), `__proto__` keys from JSON (a status-shaped
 * prototype), status look-alikes whose code claims UNAUTHENTICATED, OK, Infinity or
 * 2^32+5 with trailers of internal hosts, and forged rich statuses that are not protobuf. Each
 * is answered `internal` except where its code is a downstream's (`category`).
 */
import { type Category, GrpcStatus } from '@faultline/core';
import { round10Kit } from '@faultline/testkit';
import { Metadata } from '@grpc/grpc-js';

/** Planted in every value: never for the client. */
export const SECRET = 'hunter2-R10';
/** SQL, a table, a path and an internal host, with the secret. */
export const SQL = `SELECT * FROM users_private WHERE pw='${SECRET}' /srv/app/db.ts db.internal:5432`;
/** What no client may read, whatever the value. */
export const FORBIDDEN = [SECRET, 'users_private', 'db.internal', 'x-internal-host', 'BBBBBBBB', '7c3e1f2a'];

const kit = round10Kit(SQL, SECRET);
const { trapping } = kit;

/** Trailers naming an internal host. */
const hostTrailers = (): Metadata => {
  const metadata = new Metadata();
  metadata.set('x-internal-host', 'db.internal');
  return metadata;
};
/** A status look-alike whose code is `code`, with text and trailers of its own. */
const status = (code: unknown, metadata: Metadata = hostTrailers()) =>
  Object.assign(new Error(SQL), { code, details: SQL, metadata });

/** A value's builder (a fresh value each call) and the category the client must get. */
export interface Round10Value {
  readonly make: () => unknown;
  readonly category: Category;
}
const internal = (make: () => unknown): Round10Value => ({ make, category: 'internal' });

/** Every value, by name. */
export const ROUND10_VALUES: Readonly<Record<string, Round10Value>> = {
  ...Object.fromEntries(Object.entries(kit.values).map(([name, make]) => [name, internal(make)])),
  '__proto__ key from JSON, a status as prototype': internal(() =>
    JSON.parse(
      `{"__proto__":{"code":5,"details":"${SECRET}","message":"${SECRET}"},"constructor":{"prototype":{"p":"${SECRET}"}},"message":"${SECRET}","code":"${SECRET}"}`,
    ),
  ),
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
