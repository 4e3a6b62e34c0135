/**
 * Extreme hostile values for the adapters' red-team suites: every trap of a Proxy, throwing and
 * shifting getters, a thenable calling back twice, an a→b→a cause cycle, an AggregateError of 100k
 * errors, a 10k-deep cause chain, 50 MB texts, and pg/Prisma/Mongo/axios-shaped errors carrying
 * SQL, table names, connection strings and an authorization header.
 */
import { DRIVER_VALUES } from './extreme-drivers.js';
import { EXTREME_DSN, EXTREME_TEXT } from './extreme-text.js';
import { revokedProxy, trappingProxy, withThrowingGetters } from './hostile.js';

export { EXTREME_DSN, EXTREME_TEXT, REDACTABLE_SECRET } from './extreme-text.js';

/** One extreme value: a builder (a fresh value each call) and the HTTP statuses a client may get. */
export interface ExtremeValue {
  readonly make: () => unknown;
  readonly statuses: readonly number[];
}

const fail = (): never => {
  throw new Error(EXTREME_TEXT);
};
/** The properties an adapter may read off a thrown value. */
const HOSTILE_KEYS = [
  'message',
  'stack',
  'code',
  'status',
  'statusCode',
  'name',
  'cause',
  'errors',
  'toJSON',
  'then',
  'details',
  'metadata',
  'headers',
  'expose',
  'constructor',
];
let big: string | undefined;
/** A 50 MB message (built once: strings are immutable). */
const huge = () => {
  big ??= `${'A'.repeat(50 * 1024 * 1024)} ${EXTREME_TEXT}`;
  return big;
};
const value = (make: () => unknown, statuses: readonly number[] = [500]): ExtremeValue => ({ make, statuses });

let errors: readonly Error[] | undefined;

/** 100,000 distinct errors with driver codes, made on first use and kept. */
function hundredThousandErrors(): readonly Error[] {
  errors ??= Array.from({ length: 100_000 }, (_, i) =>
    Object.assign(new Error(`e${i} ${EXTREME_TEXT}`), { code: i % 2 ? 'ECONNREFUSED' : '23505' }),
  );
  return errors;
}

/** Every extreme value, by name, in a stable order. */
export const EXTREME_VALUES: Readonly<Record<string, ExtremeValue>> = {
  'proxy-every-trap': value(() => trappingProxy(EXTREME_TEXT)),
  'revoked-proxy': value(() => revokedProxy(new Error(EXTREME_TEXT))),
  'throwing-getters': value(() =>
    withThrowingGetters(
      Object.create(Error.prototype) as object,
      [...HOSTILE_KEYS, Symbol.toPrimitive, Symbol.toStringTag],
      fail,
    ),
  ),
  'null-proto-getters': value(() =>
    withThrowingGetters(Object.create(null) as object, [...HOSTILE_KEYS, Symbol.toPrimitive], fail, true),
  ),
  'shifting-getters': value(
    // Each read answers differently (one counter for all): a check sees one value, the answer another.
    () => {
      let n = 0;
      const next = (...values: unknown[]) => ({ get: () => values[n++ % values.length] });
      return Object.defineProperties(new Error('x'), {
        message: next('ok', EXTREME_TEXT),
        status: next(404, 200, 999, '500'),
        statusCode: next(404, 101, -1),
        code: next('NOT_FOUND', EXTREME_TEXT, 23505),
        expose: next(false, true),
        name: next('FaultError', EXTREME_TEXT),
      });
    },
    [400, 404, 409, 500],
  ),
  'then-twice-sync': value(() => ({
    message: EXTREME_TEXT,
    // biome-ignore lint/suspicious/noThenProperty: a thenable that calls back twice is the point
    then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
      reject(new Error(EXTREME_TEXT));
      reject(new Error(`${EXTREME_TEXT} twice`));
      resolve(EXTREME_TEXT);
    },
  })),
  'cycle-a-b-a': value(() => {
    const a = new Error(`a ${EXTREME_TEXT}`) as Error & { cause?: unknown };
    a.cause = new Error(`b ${EXTREME_TEXT}`, { cause: a });
    return a;
  }),
  // The 100,000 errors are made once (about 1.5 s) and shared by every AggregateError made.
  'aggregate-100k': value(() => new AggregateError(hundredThousandErrors(), EXTREME_TEXT), [500, 503, 409]),
  'chain-10k': value(() => {
    let e: Error = new Error(`root ${EXTREME_TEXT}`);
    for (let i = 0; i < 10_000; i += 1) e = new Error(`level ${i} ${EXTREME_TEXT}`, { cause: e });
    return e;
  }),
  'message-50mb': value(() => new Error(huge())),
  'code-50mb': value(() => Object.assign(new Error('x'), { code: huge(), status: huge() })),
  bigint: value(() => 10n ** 40n),
  symbol: value(() => Symbol(EXTREME_TEXT)),
  function: value(() => Object.assign(() => EXTREME_TEXT, { message: EXTREME_TEXT, status: 404 }), [500, 404]),
  'frozen-error': value(() =>
    Object.freeze(Object.assign(new Error(EXTREME_TEXT), { cause: Object.freeze(new Error(EXTREME_DSN)) })),
  ),
  'sealed-error': value(
    () => Object.seal(Object.assign(new Error(EXTREME_TEXT), { status: 503, code: 'EPIPE' })),
    [500, 502, 503],
  ),
  'subclass-name': value(() => {
    class DbError extends Error {
      override name = `QueryFailed: ${EXTREME_TEXT} at /srv/app/repo.ts:12 ${EXTREME_DSN}`;
    }
    return new DbError(EXTREME_DSN);
  }),
  ...DRIVER_VALUES,
};

/**
 * A fresh value of `name` from `table` ({@link EXTREME_VALUES} unless an adapter adds its own);
 * an unknown name throws.
 */
export function makeExtreme(name: string, table: Readonly<Record<string, ExtremeValue>> = EXTREME_VALUES): unknown {
  const entry = table[name];
  if (entry === undefined) throw new Error(`no extreme value named ${name}`);
  return entry.make();
}
