/**
 * Values whose detail lives where a walk of an error's keys does not look, as runtimes and
 * libraries make them: a web `Response` the application constructed and threw (its status is the
 * application's), failures a library collects in a `Set` or `Map`, state a library class keeps
 * under symbols, and an error wrapped in a Proxy (through which Node 22 and 24 read no stack).
 * The red-team suites throw each through every failure style of every adapter with the checks of
 * native-checks.ts: the answer is generic, the record keeps what an operator needs, redacted.
 */
import { REDACTABLE_SECRET } from './extreme-text.js';
import type { NativeValue } from './native.js';
import { classInstance, SECRET } from './types.js';

/** What no client may read of a runtime shape (besides the corpus's `ALWAYS_FORBIDDEN`). */
export const RUNTIME_FORBIDDEN: readonly string[] = [
  SECRET,
  REDACTABLE_SECRET,
  'db-7.internal',
  'orders-sync',
  'ledger-export',
  'shard-3',
  'users_private',
  'Symbol(',
  'Set(',
];

/** A library's error class that keeps its state under a symbol, set by its constructor (as libraries do). */
class ReplicaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplicaError';
    Object.defineProperty(this, Symbol('kDetail'), {
      value: { shard: 'shard-3', lagMs: 12_000, dsn: `postgres://app:${REDACTABLE_SECRET}@db-7.internal/orders` },
      enumerable: true,
    });
  }
}

/** An error wrapped in a Proxy without traps, made here so that its top frame names this function. */
function proxiedQueryFailure(): Error {
  return new Proxy(new Error(`SELECT * FROM users_private WHERE token='${SECRET}'`), {});
}

/** Every runtime shape, by name: what it must be answered as and what its record must keep. */
export const RUNTIME_VALUES: Readonly<Record<string, NativeValue>> = {
  'constructed Response 404': {
    make: () =>
      new Response(`no order for ${SECRET}`, {
        status: 404,
        headers: { 'x-upstream': 'db-7.internal', authorization: `Bearer ${REDACTABLE_SECRET}` },
      }),
    category: 'not_found',
    keep: ['Response', 'db-7.internal'],
  },
  'failures in a Set and a Map': {
    make: () =>
      classInstance('BatchError', `2 jobs failed for ${SECRET}`, {
        errors: new Set([new Error('orders-sync: upstream 503'), new Error('ledger-export: disk full')]),
        byJob: new Map([['orders-sync', { attempts: 3, password: REDACTABLE_SECRET }]]),
      }),
    category: 'internal',
    keep: ['orders-sync: upstream 503', 'ledger-export', 'attempts'],
  },
  'state under a symbol': {
    make: () => new ReplicaError(`replica behind for ${SECRET}`),
    category: 'internal',
    keep: ['Symbol(kDetail)', 'shard-3'],
  },
  'Error in a Proxy': {
    make: proxiedQueryFailure,
    category: 'internal',
    keep: ['users_private', 'proxiedQueryFailure'],
  },
};
