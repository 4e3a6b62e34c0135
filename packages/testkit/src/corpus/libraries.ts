/**
 * Errors popular libraries throw in real services, built as each library builds them (the real
 * class where testkit already depends on the library, its exact shape from its source otherwise):
 * HTTP clients (axios, got, undici, node-fetch, gaxios), data layers (ioredis, Sequelize, Drizzle,
 * MongoDB bulk writes, better-sqlite3, Prisma), auth (jsonwebtoken, jose), HTTP error helpers
 * (http-errors with headers, Boom, @fastify/error) and cloud SDKs (AWS SDK v3, Stripe). Their
 * messages and own properties carry URLs, hosts, headers, cookies, SQL, documents and versions;
 * the red-team suites throw each through every failure style of every adapter with the checks of
 * native-checks.ts. The shapes are in libraries-upstream.ts and libraries-data.ts; those already
 * in the corpus (CORPUS, NATIVE_VALUES) are not repeated.
 */
import { REDACTABLE_SECRET } from './extreme-text.js';
import { DATA_LIBRARY_VALUES } from './libraries-data.js';
import { UPSTREAM_LIBRARY_VALUES } from './libraries-upstream.js';
import { NATIVE_FORBIDDEN, NATIVE_VALUES, type NativeValue } from './native.js';
import { RUNTIME_FORBIDDEN, RUNTIME_VALUES } from './runtime-shapes.js';
import { SECRET } from './types.js';

/** What no client may read of a library's error (besides the corpus's `ALWAYS_FORBIDDEN`). */
export const LIBRARY_FORBIDDEN: readonly string[] = [
  SECRET,
  REDACTABLE_SECRET,
  'payments.internal',
  '10.9.8.7',
  'users_private',
  'INSERT INTO',
  'sid=',
  'nginx/1.25',
  'ledger-7f9c',
  'Request failed',
  'Response code',
  'WRONGTYPE',
  'Sequelize',
  'prisma',
  'Prisma',
  'UNIQUE constraint',
  'SQLITE',
  'jwt not active',
  'ERR_J',
  'arn:aws',
  'req_8f',
  'card_declined',
  'E11000',
  'Failed query',
  'Stripe',
];

/** Every library value, by name: what it must be answered as and what its record must keep. */
export const LIBRARY_VALUES: Readonly<Record<string, NativeValue>> = {
  ...UPSTREAM_LIBRARY_VALUES,
  ...DATA_LIBRARY_VALUES,
};

/** Node's own errors and libraries' errors by name, for a server that throws any of them by name. */
export const REAL_WORLD_VALUES: Readonly<Record<string, NativeValue>> = {
  ...NATIVE_VALUES,
  ...LIBRARY_VALUES,
  ...RUNTIME_VALUES,
};

/**
 * The corpora of real-world errors as `it.each` rows: a title, the values by name, and what no
 * client may read of them.
 */
export const REAL_WORLD_CORPORA: readonly (readonly [
  string,
  Readonly<Record<string, NativeValue>>,
  readonly string[],
])[] = [
  ["Node's own errors", NATIVE_VALUES, NATIVE_FORBIDDEN],
  ["libraries' errors", LIBRARY_VALUES, LIBRARY_FORBIDDEN],
  ['runtime shapes', RUNTIME_VALUES, RUNTIME_FORBIDDEN],
];
