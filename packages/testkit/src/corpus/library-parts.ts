/** What the library values share: the URL, SQL and upstream headers they carry, and their builder. */
import { REDACTABLE_SECRET } from './extreme-text.js';
import type { NativeValue } from './native.js';
import { SECRET } from './types.js';

/** A URL naming an internal host, a password and a token in its query. */
export const URL = `https://svc:${REDACTABLE_SECRET}@payments.internal:8443/v1/charges/${SECRET}?access_token=${REDACTABLE_SECRET}`;
/** SQL naming a private table, with the corpus secret as a value. */
export const SQL = `INSERT INTO users_private (email, pw) VALUES ('a@b.c', '${SECRET}')`;
/** Headers an upstream answered with: a cookie, a server version, an internal host. */
export const UPSTREAM_HEADERS = {
  'set-cookie': `sid=${REDACTABLE_SECRET}; HttpOnly`,
  server: 'nginx/1.25.3',
  'x-upstream-host': 'ledger-7f9c',
  'request-id': 'req_8f3a',
};

/** A library value: its builder, its category while the client is connected, what its record keeps. */
export const value = (make: () => unknown, category: string, keep: readonly string[]): NativeValue => ({
  make,
  category,
  keep,
});
