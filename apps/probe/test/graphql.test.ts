/**
 * GraphQL: an endpoint that answers requests that are not GraphQL cleanly leaks only on a GraphQL
 * error (a query that does not parse, variables of the wrong type). Given only the base URL, the
 * probe finds `/graphql` among the common paths and sends it GraphQL requests too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { graphqlApi } from './leaky/graphql.js';
import { type LeakyTarget, missed } from './leaky/planted.js';

describe('a GraphQL endpoint that leaks only on GraphQL errors', () => {
  let target: LeakyTarget;
  let blind: RunResult;
  let hinted: RunResult;
  beforeAll(async () => {
    target = await graphqlApi();
    [blind, hinted] = await Promise.all([
      runProbe(parseTarget(target.url, false), { timeoutMs: 30_000 }),
      runProbe(parseTarget(target.url, false), { noDiscovery: true, paths: ['/graphql'], timeoutMs: 30_000 }),
    ]);
  });
  afterAll(async () => {
    await target.close();
  });

  it('found blind, on the common path', () => {
    expect(missed(target.planted, blind.findings)).toEqual([]);
  });

  it('found on a --path hint', () => {
    expect(missed(target.planted, hinted.findings)).toEqual([]);
  });
});
