/**
 * GraphQL requests for a path that looks like a GraphQL endpoint (`…/graphql`). A GraphQL server
 * answers what is not a GraphQL request (malformed or wrong-typed JSON) with a plain error before
 * its executor runs, so the other probes never reach it; a query that does not parse and variables
 * of the wrong type do, and a server in development answers them with its stack in
 * `extensions.stacktrace` (Apollo Server) or `extensions.exception`. Neither carries the probe's
 * marker: a GraphQL error names the query's own text, which is not reflection of hostile input.
 * Two more ask for the schema: an introspection query (a schema should not be public unless meant
 * to be), and fields misspelled from common names, which graphql-js and the servers built on it
 * answer with the names they resemble (`Did you mean "user"?`) even with introspection off. Neither
 * runs a resolver: introspection reads the schema, and a query with unknown fields fails validation.
 */
import type { HttpProbe } from './client.js';

/** A path that names a GraphQL endpoint. */
const GRAPHQL_PATH = /\/graphql\/?$/i;

/**
 * Common root fields, each misspelled by one letter (graphql-js suggests a name within about 40% of
 * its length): `user`, `users`, `me`, `viewer`, `node`, `order`, `product`, `account`, `search`.
 */
const SUGGESTED = ['usr', 'userz', 'mee', 'viewr', 'nod', 'ordr', 'prodct', 'acount', 'serch'];

/** The GraphQL probes for `path` (none when it is not a GraphQL endpoint's). */
export function graphqlProbes(path: string): HttpProbe[] {
  if (!GRAPHQL_PATH.test(path)) return [];
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  const post = (body: object) => ({ method: 'POST', path, headers, body: JSON.stringify(body) });
  return [
    { name: 'graphql-syntax', request: post({ query: '{ __typename ' }) },
    {
      name: 'graphql-variables',
      request: post({ query: 'query ($id: Int!) { __typename }', variables: { id: "1'" } }),
    },
    { name: 'graphql-introspection', request: post({ query: '{ __schema { queryType { name } types { name } } }' }) },
    { name: 'graphql-suggestion', request: post({ query: `{ ${SUGGESTED.join(' ')} }` }) },
  ];
}
