/**
 * Connection pools that ran out: pg-pool, mysql2's pool, generic-pool and Knex. These errors
 * carry no code, only the fixed text their library writes, so they are recognised by that exact
 * text (anchored, short), never by a loose pattern.
 */
import { type ObjectLike, safeGetString } from '../safe-access.js';
import type { Classification, Classifier } from './types.js';

const POOL_MESSAGES: readonly (readonly [RegExp, Classification])[] = [
  // pg-pool: connectionTimeoutMillis passed while waiting for a client
  [/^timeout exceeded when trying to connect$/, { category: 'unavailable', reason: 'pool:pg-timeout' }],
  // pg: the connection itself timed out
  [/^Connection terminated due to connection timeout$/, { category: 'unavailable', reason: 'pool:pg-connect-timeout' }],
  [/^Connection terminated unexpectedly$/, { category: 'unavailable', reason: 'pool:pg-terminated' }],
  [/^Cannot use a pool after calling end on the pool$/, { category: 'unavailable', reason: 'pool:pg-ended' }],
  // mysql2
  [/^Queue limit reached\.?$/, { category: 'unavailable', reason: 'pool:mysql-queue' }],
  [/^Pool is closed\.?$/, { category: 'unavailable', reason: 'pool:mysql-closed' }],
  // generic-pool
  [/^ResourceRequest timed out$/, { category: 'unavailable', reason: 'pool:generic-timeout' }],
  // Knex (also recognised as KnexTimeoutError by name)
  [/^Knex: Timeout acquiring a connection\./, { category: 'unavailable', reason: 'pool:knex-timeout' }],
];

/** Pool exhaustion and pool shutdown errors, by their library's fixed message. */
export const poolClassifier: Classifier = {
  name: 'pool',
  classify(error: ObjectLike) {
    const message = safeGetString(error, 'message', 160);
    if (message === undefined) return undefined;
    for (const [pattern, classification] of POOL_MESSAGES) {
      if (pattern.test(message)) return classification;
    }
    return undefined;
  },
};
