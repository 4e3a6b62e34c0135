/**
 * HTTP discovery, bounded in count: OpenAPI/Swagger documents at the usual locations (or the one
 * given), a built-in list of common API paths, and the links on the root answer. Everything found
 * is recorded with how it was found.
 */
import type { Answer } from '../answer.js';
import { discover } from '../context.js';
import type { HttpClient } from './client.js';
import { type Field, operations, parseDocument } from './openapi.js';

/**
 * Where OpenAPI and Swagger documents usually are: the common names, then frameworks' defaults
 * (springdoc and springfox, Fastify's and NestJS's, ASP.NET's Swashbuckle and its own since .NET 9).
 */
export const OPENAPI_LOCATIONS = [
  '/openapi.json',
  '/openapi.yaml',
  '/swagger.json',
  '/v3/api-docs',
  '/api-docs',
  '/docs/json',
  '/v2/api-docs',
  '/api-json',
  '/docs-json',
  '/swagger/v1/swagger.json',
  '/openapi/v1.json',
  '/api/openapi.json',
];

/** Common API paths (login, auth, users, `api/`, `api/v1/`, health, GraphQL, admin), probed with malformed bodies. */
export const COMMON_PATHS = ['', '/api', '/api/v1'].flatMap((prefix) =>
  ['/login', '/auth', '/auth/login', '/register', '/users', '/health', '/graphql', '/admin'].map(
    (p) => `${prefix}${p}`,
  ),
);

/** Common collections whose ids the existence oracle compares. */
export const COMMON_COLLECTIONS = ['/users', '/api/users', '/api/v1/users'];

/** Bounds of discovery. */
export const DISCOVERY_LIMITS = { operations: 100, links: 30, collections: 8 } as const;

/** An operation to probe: from a document, the common list or a link. */
export interface HttpOperation {
  readonly method: string;
  /** Path template (`{name}` for parameters). */
  readonly path: string;
  readonly query?: readonly Field[];
  readonly body?: readonly Field[];
  /** Declared types of the path parameters. */
  readonly types?: Readonly<Record<string, string>>;
  /** From the built-in list of common paths: the route may not exist. */
  readonly guessed?: boolean;
}

const STATIC = /\.(?:css|js|mjs|map|png|jpe?g|gif|svg|ico|woff2?|ttf|txt|xml|pdf)(?:\?|$)/i;

/** Same-origin paths linked from `answer` (HTML attributes, JSON strings, Link headers), at most `limit`. */
export function linksIn(answer: Answer, origin: string, limit: number): string[] {
  const found = new Set<string>();
  const candidates = [
    ...answer.body.matchAll(/\b(?:href|src|action)\s*=\s*["']([^"'#]+)["']/gi),
    ...answer.body.matchAll(/"((?:https?:\/\/[^"\s]+)?\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)"/g),
    ...(answer.headers.link ?? '').matchAll(/<([^>]+)>/g),
  ].map((m) => m[1] ?? '');
  for (const candidate of candidates) {
    if (found.size >= limit) break;
    let url: URL;
    try {
      url = new URL(candidate, origin);
    } catch {
      continue;
    }
    if (url.origin !== origin || STATIC.test(url.pathname) || url.pathname === '/') continue;
    found.add(`${url.pathname}${url.search}`);
  }
  return [...found];
}

/** An operation for a linked path: its query parameters become fields of unknown (string) type. */
function linkOperation(link: string): HttpOperation {
  const url = new URL(link, 'http://link.invalid');
  const query = [...url.searchParams.keys()].slice(0, 10).map((name) => ({ name, type: 'string' }));
  return { method: 'GET', path: url.pathname, query };
}

/** What HTTP discovery found: operations to probe and collections for the existence oracle. */
export interface HttpDiscovery {
  readonly operations: HttpOperation[];
  readonly collections: string[];
}

/**
 * Runs discovery against `base` (the target's base path, '' for the root). With `onlyGiven`, only
 * the operations of the given document are used (no look-ups, no common paths, no links).
 */
export async function discoverHttp(
  client: HttpClient,
  base: string,
  given?: { source: string; document: object },
  onlyGiven = false,
): Promise<HttpDiscovery> {
  const run = client.run;
  const found: HttpOperation[] = [];
  const add = (op: HttpOperation, how: string) => {
    const what = `${op.method} ${op.path}`;
    if (found.length >= DISCOVERY_LIMITS.operations || found.some((f) => `${f.method} ${f.path}` === what)) return;
    found.push(op);
    discover(run, how, what);
  };
  const documents: { how: string; doc: Record<string, unknown> }[] = [];
  if (given !== undefined)
    documents.push({ how: `openapi ${given.source}`, doc: given.document as Record<string, unknown> });
  else
    for (const location of OPENAPI_LOCATIONS) {
      const answer = await client.send({
        name: 'discover-openapi',
        request: { method: 'GET', path: `${base}${location}` },
      });
      const doc = answer !== undefined && answer.status < 300 ? parseDocument(answer.body) : undefined;
      if (doc !== undefined) documents.push({ how: `openapi ${base}${location}`, doc });
    }
  const collections = new Set<string>(onlyGiven ? [] : COMMON_COLLECTIONS.map((c) => `${base}${c}`));
  for (const { how, doc } of documents)
    for (const op of operations(doc, DISCOVERY_LIMITS.operations)) {
      const types = Object.fromEntries(op.pathParams.map((p) => [p.name, p.type]));
      add(
        {
          method: op.method,
          path: op.path,
          query: op.query,
          ...(op.body === undefined ? {} : { body: op.body }),
          types,
        },
        how,
      );
      const collection = /^(.*\/[A-Za-z][\w-]*)\/\{[^}/]+\}$/.exec(op.path)?.[1];
      if (collection !== undefined) collections.add(collection);
    }
  if (onlyGiven) return { operations: found, collections: [...collections].slice(0, DISCOVERY_LIMITS.collections) };
  const root = await client.send({
    name: 'discover-links',
    request: { method: 'GET', path: base === '' ? '/' : base, headers: { accept: 'text/html, application/json' } },
  });
  const origin = `http://${client.endpoint.host.includes(':') ? `[${client.endpoint.host}]` : client.endpoint.host}:${client.endpoint.port}`;
  for (const link of root === undefined ? [] : linksIn(root, origin, DISCOVERY_LIMITS.links)) {
    const op = linkOperation(link);
    add(op, `link on ${base || '/'}`);
    add({ method: 'POST', path: op.path, body: [] }, `link on ${base || '/'}`);
    if (/^\/(?:[\w-]+\/)*[A-Za-z][\w-]*s$/.test(op.path)) collections.add(op.path);
  }
  for (const path of COMMON_PATHS) {
    add({ method: 'GET', path: `${base}${path}`, guessed: true }, 'common path');
    add({ method: 'POST', path: `${base}${path}`, body: [], guessed: true }, 'common path');
  }
  for (const collection of COMMON_COLLECTIONS)
    add({ method: 'GET', path: `${base}${collection}/{id}`, types: { id: 'integer' }, guessed: true }, 'common path');
  return { operations: found, collections: [...collections].slice(0, DISCOVERY_LIMITS.collections) };
}
