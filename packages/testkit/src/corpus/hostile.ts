/**
 * Hostile and odd values: non-Errors, throwing getters, Proxies (revoked, throwing every trap),
 * huge messages, CR/LF/ANSI, circular objects, AggregateErrors and cause chains.
 */
import { type CorpusCase, classInstance, errorLike, SECRET } from './types.js';

/** Every trap a Proxy handler can define. */
export const EVERY_TRAP: readonly (keyof ProxyHandler<object>)[] = [
  'get',
  'has',
  'ownKeys',
  'getPrototypeOf',
  'getOwnPropertyDescriptor',
  'set',
  'defineProperty',
  'deleteProperty',
  'isExtensible',
  'preventExtensions',
  'setPrototypeOf',
];

/** A Proxy of `{}` whose `traps` (default: every one) each throw a fresh Error of `message`. */
export function trappingProxy(message: string, traps: readonly (keyof ProxyHandler<object>)[] = EVERY_TRAP): object {
  const trap = (): never => {
    throw new Error(message);
  };
  return new Proxy({}, Object.fromEntries(traps.map((name) => [name, trap])));
}

/** A Proxy of `target`, already revoked: any operation on it throws. */
export function revokedProxy(target: object): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/**
 * `target` with a getter on each of `keys` that throws what `fail(key)` throws (enumerable when
 * asked, so a spread or JSON walk meets them too). Build `target` with `Object.create`, not
 * `new Error()`: V8 formats an Error's stack (reading `message`) when `stack` is redefined.
 */
export function withThrowingGetters<T extends object>(
  target: T,
  keys: readonly PropertyKey[],
  fail: (key: PropertyKey) => never,
  enumerable = false,
): T {
  for (const key of keys) Object.defineProperty(target, key, { get: () => fail(key), enumerable });
  return target;
}

/** The properties the corpus's throwing-getters Error traps. */
const GETTER_KEYS = ['message', 'stack', 'name', 'code', 'cause', 'status', 'statusCode', 'errors', 'then', 'metadata'];

/** An Error-like (Error.prototype) whose every interesting property is a throwing getter. */
function throwingGetters(): Error {
  return withThrowingGetters(Object.create(Error.prototype) as Error, GETTER_KEYS, (key) => {
    throw new Error(`getter ${String(key)} ${SECRET}`);
  });
}

function circular(): Error {
  const error = errorLike('Error', `circular ${SECRET}`) as Error & { self?: unknown; cause?: unknown };
  const inner = { owner: error, secret: SECRET };
  error.self = error;
  error.cause = inner;
  return error;
}

const simple = (name: string, make: () => unknown, forbidden: string[] = [SECRET]): CorpusCase => ({
  name,
  family: 'hostile',
  make,
  category: 'internal',
  forbidden,
});

/** Every hostile case. */
export const HOSTILE_CASES: readonly CorpusCase[] = [
  simple('thrown string', () => `SELECT * FROM users_private WHERE pw='${SECRET}'`, [SECRET, 'users_private']),
  simple('thrown empty string', () => ''),
  simple('thrown number', () => 42),
  simple('thrown NaN', () => Number.NaN),
  simple('thrown null', () => null),
  simple('thrown undefined', () => undefined),
  simple('thrown false', () => false),
  simple('thrown 0', () => 0),
  simple('thrown bigint', () => 12345678901234567890n),
  simple('thrown symbol', () => Symbol(SECRET)),
  simple('thrown function', () => () => SECRET),
  simple('thrown plain object', () => ({ message: `db at 10.0.0.9 ${SECRET}`, stack: '/srv/app/x.js:1' }), [
    SECRET,
    '10.0.0.9',
    '/srv/app',
  ]),
  simple('thrown array', () => [new Error(SECRET), SECRET]),
  simple('object without prototype', () => Object.assign(Object.create(null), { message: SECRET, status: 'x' })),
  simple(
    'Proxy with throwing traps',
    () => trappingProxy(`trap ${SECRET}`, ['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor']),
    [SECRET, 'trap'],
  ),
  simple('revoked Proxy', () => revokedProxy(new Error(SECRET))),
  simple('Error with throwing getters', throwingGetters, [SECRET, 'getter']),
  simple('Error with a throwing toString', () =>
    Object.assign(new Error(SECRET), {
      toString: () => {
        throw new Error(SECRET);
      },
    }),
  ),
  simple('huge message (1 MB)', () => new Error(`${'A'.repeat(1_000_000)} ${SECRET}`), [SECRET, 'AAAAAAAAAAAAAAAA']),
  simple('CRLF and ANSI injection', () => new Error(`bad\r\nSet-Cookie: session=${SECRET}\r\n\u001b[31mred\u2028x`), [
    SECRET,
    'Set-Cookie',
    '\u001b[31m',
  ]),
  simple('circular cause', circular),
  simple('cause chain 50 deep', () => {
    let error: Error = new Error(`root ${SECRET}`);
    for (let i = 0; i < 50; i += 1) error = new Error(`level ${i} /srv/app/${SECRET}`, { cause: error });
    return error;
  }, [SECRET, '/srv/app']),
  // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of this case
  simple('thenable that rejects nothing', () => ({ then: SECRET })),
  simple(
    'Error subclass with a hostile constructor name',
    () => classInstance('X', `${SECRET}`, { constructor: { name: '<script>alert(1)</script>' } }),
    [SECRET, '<script>'],
  ),
  simple('fake FaultError look-alike', () =>
    Object.assign(new Error(SECRET), {
      name: 'FaultError',
      category: 'not_found',
      code: 'NOT_FOUND',
      publicMessage: `public ${SECRET}`,
      status: 'x',
    }),
  ),
  simple('Error with status 500 and expose', () =>
    Object.assign(new Error(`internal ${SECRET}`), { status: 500, expose: true }),
  ),
  simple('status as a string 404', () => Object.assign(new Error(SECRET), { status: '404' })),
  simple('numeric code 5 (Mongo-like)', () => Object.assign(new Error(`code five ${SECRET}`), { code: 5 })),
  {
    name: 'AggregateError of agreeing conflicts',
    family: 'aggregate',
    make: () =>
      new AggregateError(
        [
          Object.assign(new Error(`dup ${SECRET}`), { code: '23505', severity: 'ERROR' }),
          Object.assign(new Error('dup 2'), { code: '23505', severity: 'ERROR' }),
        ],
        `two failed ${SECRET}`,
      ),
    category: 'conflict',
    forbidden: [SECRET],
  },
  {
    name: 'AggregateError of mixed failures',
    family: 'aggregate',
    make: () =>
      new AggregateError(
        [errorLike('Error', `connect ECONNREFUSED 10.3.3.3 ${SECRET}`, { code: 'ECONNREFUSED' }), new Error('x')],
        'mixed',
      ),
    category: 'internal',
    forbidden: [SECRET, '10.3.3.3'],
  },
  {
    name: 'cause chain ending in a pg unique violation',
    family: 'cause',
    make: () =>
      new Error(`createOrder failed ${SECRET}`, {
        cause: new Error('repository failed', {
          cause: Object.assign(new Error(`duplicate key ${SECRET}`), {
            code: '23505',
            severity: 'ERROR',
            table: 'orders_private',
          }),
        }),
      }),
    category: 'conflict',
    forbidden: [SECRET, 'orders_private', 'createOrder'],
  },
  {
    name: 'cause chain ending in ETIMEDOUT',
    family: 'cause',
    make: () =>
      new Error('charge failed', {
        cause: errorLike('Error', `connect ETIMEDOUT 10.4.4.4:443 ${SECRET}`, { code: 'ETIMEDOUT' }),
      }),
    category: 'timeout',
    forbidden: [SECRET, '10.4.4.4', 'charge failed'],
  },
];
