/**
 * A leaky GraphQL endpoint at `/graphql`, as Apollo Server answers in development: a request that is
 * not a GraphQL request (malformed or wrong-typed JSON, a form) gets a plain error, but a query that
 * does not parse, or variables of the wrong type, get the GraphQL error with its stack trace in
 * `extensions.stacktrace`. Its introspection is on, and it suggests field names (`Did you mean "user"?`).
 * The probe is told only the base URL.
 */
import { createServer } from 'node:http';
import { type LeakyTarget, portOf } from './planted.js';

const STACK = [
  'GraphQLError: Syntax Error: Expected Name, found <EOF>.',
  '    at syntaxError (/srv/gateway/node_modules/graphql/error/syntaxError.js:15:10)',
  '    at Parser.expectToken (/srv/gateway/node_modules/graphql/language/parser.js:1397:40)',
];

/** What a GraphQL server in development answers `body` (a POST to `/graphql`) with. */
function answer(body: string): { status: number; json: unknown } {
  let request: { query?: unknown; variables?: unknown };
  try {
    request = JSON.parse(body) as typeof request;
  } catch {
    return { status: 400, json: { errors: [{ message: 'POST body sent invalid JSON.' }] } };
  }
  if (typeof request?.query !== 'string')
    return { status: 400, json: { errors: [{ message: 'POST body must contain a query string.' }] } };
  // Introspection left on, and graphql-js's field suggestions (what the probe's misspelled fields get).
  if (request.query.includes('__schema'))
    return { status: 200, json: { data: { __schema: { queryType: { name: 'Query' }, types: [{ name: 'User' }] } } } };
  if (/\busr\b/.test(request.query)) {
    const message = 'Cannot query field "usr" on type "Query". Did you mean "user" or "users"?';
    return { status: 400, json: { errors: [{ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] } };
  }
  const balanced = request.query.split('{').length === request.query.split('}').length;
  const typed = request.variables === undefined || Object.values(request.variables ?? {}).every(Number.isInteger);
  if (balanced && typed) return { status: 200, json: { data: { __typename: 'Query' } } };
  const code = balanced ? 'BAD_USER_INPUT' : 'GRAPHQL_PARSE_FAILED';
  return { status: 400, json: { errors: [{ message: 'Bad request', extensions: { code, stacktrace: STACK } }] } };
}

/** The GraphQL target; its leak is a stack in the errors of a query that does not parse. */
export async function graphqlApi(): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      if (body.length < 10_000) body += chunk.toString('utf8');
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const fields = {
        'content-type': 'application/json',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'x-request-id': crypto.randomUUID(),
      };
      if (path !== '/graphql') return void res.writeHead(404, fields).end('{"error":"not found"}');
      const { status, json } =
        req.method === 'POST' ? answer(body) : { status: 400, json: { errors: [{ message: 'GET query missing.' }] } };
      res.writeHead(status, fields).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'GraphQL in development',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: [
      { rule: 'leak/stack-node', where: '/graphql', severity: 'high' },
      { rule: 'leak/graphql-schema', where: '/graphql', severity: 'medium' },
      { rule: 'leak/graphql-schema', where: '/graphql', severity: 'low' },
    ],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
