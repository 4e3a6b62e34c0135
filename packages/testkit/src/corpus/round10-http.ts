/**
 * Round 10's hostile thrown values for the HTTP adapters: the protocol-neutral ones
 * (`round10.ts`), and errors claiming 302/1000/-1/NaN/'404' with `Location` to internal hosts,
 * CRLF in header values and a `Set-Cookie`, an `expose: true` 400 whose message is SQL
 * (http-errors style), `__proto__` keys from `JSON.parse` holding a status and headers, getters
 * throwing on `statusCode`/`status`/`headers` only, a revoked Proxy, `null` and `undefined`. Each
 * has the status its answer must carry. Run by the Fastify and Express round 10 tests.
 */
import { ROUND10_FORGED_ID, round10Kit } from './round10.js';

/** Planted in every value: never for the client. */
export const ROUND10_HTTP_SECRET = 'hunter2-R10h';
const SECRET = ROUND10_HTTP_SECRET;
/** SQL, a table, a path and an internal host, with the secret. */
const SQL = `SELECT * FROM users_private WHERE pw='${SECRET}' /srv/app/db.ts db.internal:5432`;
/** What no client may read (status line, headers or body), whatever the value. */
const FORBIDDEN = [SECRET, 'users_private', 'db.internal', '/srv/', 'BBBBBBBB', ROUND10_FORGED_ID, 'SELECT', 'x-evil'];

const kit = round10Kit(SQL, SECRET);
const { throwing } = kit;

/** Headers a value asks the answer to carry: a cookie, a redirect to an internal host, CRLF. */
const evilHeaders = () => ({
  'Set-Cookie': `session=${SECRET}; Path=/`,
  Location: `http://db.internal/${SECRET}`,
  'X-Request-Id': ROUND10_FORGED_ID,
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
export interface Round10HttpValue {
  readonly make: () => unknown;
  readonly status: number;
}
const internal = (make: () => unknown): Round10HttpValue => ({ make, status: 500 });

/** Every value, by name. */
export const ROUND10_HTTP_VALUES: Readonly<Record<string, Round10HttpValue>> = {
  ...Object.fromEntries(Object.entries(kit.values).map(([name, make]) => [name, internal(make)])),
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
export const ROUND10_HTTP_NAMES = Object.keys(ROUND10_HTTP_VALUES);

/** Makes the value at `index` (a route parameter or header). */
export function round10HttpAt(index: unknown): unknown {
  return (ROUND10_HTTP_VALUES[ROUND10_HTTP_NAMES[Number(index)] as string] as Round10HttpValue).make();
}

/** The fragments of {@link FORBIDDEN} in `visible` (an answer's status line, headers and body). */
export function round10HttpLeaks(visible: string): string[] {
  return FORBIDDEN.filter((fragment) => visible.includes(fragment));
}
