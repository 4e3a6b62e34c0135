/**
 * Round 10's hostile thrown values for WebSocket: the protocol-neutral ones (testkit's
 * `round10Kit`: conversions that throw or return 10 MB, a Buffer of SQL, CR/LF/NUL and lone
 * surrogates, self-listing AggregateErrors, thenables), `__proto__` keys from JSON (an exposed 404
 * as prototype), a close code and a status out of any range, a `Retry-After` header carrying
 * CR/LF, every Proxy trap throwing. Each is `internal` but the 429, an upstream's throttle:
 * `unavailable` ({@link categoryOf}).
 */
import { round10Kit } from '@faultline/testkit';

/** Planted in every value: never for the client. */
export const SECRET = 'hunter2-R10';
/** SQL, a table, a path and an internal host, with the secret. */
export const SQL = `SELECT * FROM users_private WHERE pw='${SECRET}' /srv/app/db.ts db.internal:5432`;
/** What no frame, close reason or HTTP answer may hold. */
export const FORBIDDEN = /hunter2|users_private|\/srv\/|db\.internal|BBBBBBBB|SELECT|7c3e1f2a/;

const kit = round10Kit(SQL, SECRET);

/** Every value's builder (a fresh value each call), by name. */
export const ROUND10_VALUES: Readonly<Record<string, () => unknown>> = {
  ...kit.values,
  '__proto__ key from JSON, an exposed 404 as prototype': () =>
    JSON.parse(
      `{"__proto__":{"status":404,"statusCode":404,"expose":true,"message":"${SECRET}"},"message":"${SECRET}","code":"${SECRET}"}`,
    ),
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
  'a Proxy of a function, every trap throwing': () => kit.trapping(() => undefined),
};

/** The category the client must get for the value named `name`. */
export function categoryOf(name: string): 'internal' | 'unavailable' {
  return name === 'a 429 whose Retry-After carries CR/LF' ? 'unavailable' : 'internal';
}
