/**
 * The hostile thrown values to run under real tracing instrumentation: the corpus cases that an
 * instrumentation reads (`instanceof`, `message`, `String(value)`, `recordException`), plus a
 * frozen object, a plain object whose `toString` throws and an Error carrying SQL and a secret.
 */
import { CORPUS } from './cases.js';
import { type CorpusCase, SECRET } from './types.js';

const NAMES = [
  'pg 23505',
  'pg 42601',
  'thrown string',
  'thrown symbol',
  'thrown null',
  'thrown undefined',
  'thrown plain object',
  'object without prototype',
  'Proxy with throwing traps',
  'revoked Proxy',
  'Error with throwing getters',
  'Error with a throwing toString',
];

const internal = (name: string, make: () => unknown, forbidden: string[] = [SECRET]): CorpusCase => ({
  name,
  family: 'otel',
  make,
  category: 'internal',
  forbidden,
});

const EXTRAS: readonly CorpusCase[] = [
  internal('frozen object', () => Object.freeze({ message: `frozen ${SECRET}`, status: 'x' })),
  internal('plain object with a throwing toString', () => ({
    message: `to-string ${SECRET}`,
    toString() {
      throw new Error(`toString ${SECRET}`);
    },
  })),
  internal('Error with SQL and a secret', () => new Error(`SELECT * FROM users_private WHERE token='${SECRET}'`), [
    SECRET,
    'users_private',
  ]),
];

/** The cases, in a stable order. */
export const INSTRUMENTED_CASES: readonly CorpusCase[] = [
  ...NAMES.map((name) => {
    const found = CORPUS.find((c) => c.name === name);
    if (found === undefined) throw new Error(`no corpus case ${name}`);
    return found;
  }),
  ...EXTRAS,
];
