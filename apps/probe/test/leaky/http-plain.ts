/**
 * Leaky targets on node:http alone: a users API answering raw pg errors, a service describing its
 * internal routes in a YAML OpenAPI document, and an accounts API whose root links its resources
 * and whose ids can be told apart from missing ones.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type LeakyTarget, portOf } from './planted.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function serve(name: string, handler: Handler, planted: LeakyTarget['planted']): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, new URL(req.url ?? '/', 'http://x')));
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    url: `http://127.0.0.1:${portOf(server)}`,
    planted,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * pg errors on POST /api/users and POST /login, a type error on /api/users/:id, a credential on /health;
 * its environment file and Git configuration served (`/.env`, `/.git/config`).
 */
export function usersApi(): Promise<LeakyTarget> {
  return serve(
    'plain http users API',
    (req, res, url) => {
      const path = url.pathname;
      if (req.method === 'POST' && path === '/api/users')
        return send(res, 500, { error: 'duplicate key value violates unique constraint "users_email_key"' });
      if (req.method === 'POST' && path === '/login')
        return send(res, 500, 'error: relation "sessions" does not exist', 'text/plain');
      const id = /^\/api\/users\/([^/]+)$/.exec(path)?.[1];
      if (id !== undefined && !/^\d+$/.test(id))
        return send(res, 500, { error: `invalid input syntax for type integer: "${decodeURIComponent(id)}"` });
      if (path === '/health') return send(res, 200, { status: 'ok', db: 'postgres://app:hunter2@db:5432/app' });
      if (path === '/.env')
        return send(res, 200, '# production\nAPP_ENV=production\nDB_PASSWORD=hunter2\n', 'text/plain');
      if (path === '/.git/config')
        return send(res, 200, '[core]\n\trepositoryformatversion = 0\n\tbare = false\n', 'text/plain');
      return send(res, 404, { error: 'not found' });
    },
    [
      { rule: 'leak/exposed-file', where: 'GET /.env', severity: 'high' },
      { rule: 'leak/exposed-file', where: 'GET /.git/config', severity: 'high' },
      { rule: 'leak/driver-pg', where: 'POST /api/users' },
      { rule: 'leak/driver-pg', where: 'POST /login' },
      { rule: 'leak/driver-pg', where: 'GET /api/users/' },
      { rule: 'leak/secret', where: '/health' },
    ],
  );
}

const FLAGS_YAML = `openapi: 3.0.3
info: { title: flags, version: '1' }
paths:
  /internal/flags/{name}:
    patch:
      parameters:
        - { name: name, in: path, required: true, schema: { type: string } }
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Flag' }
      responses: { '200': { description: ok } }
  /internal/jobs:
    get:
      parameters:
        - { name: page, in: query, schema: { type: integer } }
      responses: { '200': { description: ok } }
components:
  schemas:
    Flag:
      type: object
      properties: { enabled: { type: boolean }, rollout: { type: integer } }
`;

/** A YAML OpenAPI document at /openapi.yaml; Redis text on PATCH /internal/flags/{name}. */
export function flagsApi(): Promise<LeakyTarget> {
  return serve(
    'plain http, YAML OpenAPI',
    (req, res, url) => {
      if (url.pathname === '/openapi.yaml') return send(res, 200, FLAGS_YAML, 'application/yaml');
      if (req.method === 'PATCH' && url.pathname.startsWith('/internal/flags/'))
        return send(res, 500, { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
      if (url.pathname === '/internal/jobs') return send(res, 200, { jobs: [] });
      return send(res, 404, { error: 'not found' });
    },
    [{ rule: 'leak/driver-redis', where: '/internal/flags/' }],
  );
}

/**
 * The root links /api/accounts and /api/search; account ids are 403 when they exist, 404 when not; a quote
 * in the search leaks MySQL; Spring Boot's actuator index (naming its heap dump) and Apache's status page
 * are served, its `/.env` is forbidden (403, though its body looks like one: not an exposure).
 */
export function accountsApi(): Promise<LeakyTarget> {
  return serve(
    'plain http, links and an existence oracle',
    (_req, res, url) => {
      const path = url.pathname;
      if (path === '/') return send(res, 200, { links: { accounts: '/api/accounts', search: '/api/search?q=shoes' } });
      const id = /^\/api\/accounts\/(\d+)$/.exec(path)?.[1];
      if (id !== undefined)
        return Number(id) <= 100
          ? send(res, 403, { error: 'forbidden' })
          : send(res, 404, { error: 'no such account' });
      if (path === '/api/accounts') return send(res, 401, { error: 'authentication required' });
      if (path === '/api/search' && /['"[]/.test(url.searchParams.get('q') ?? ''))
        return send(res, 500, { error: "You have an error in your SQL syntax; check the manual near ''' at line 1" });
      if (path === '/api/search') return send(res, 200, { results: [] });
      if (path === '/actuator')
        return send(res, 200, { _links: { self: { href: '/actuator' }, heapdump: { href: '/actuator/heapdump' } } });
      if (path === '/server-status')
        return send(res, 200, '<html><h1>Apache Server Status for shop</h1></html>', 'text/html');
      if (path === '/.env') return send(res, 403, 'APP_ENV=forbidden', 'text/plain');
      return send(res, 404, { error: 'not found' });
    },
    [
      { rule: 'leak/exposed-file', where: 'GET /actuator', severity: 'high' },
      { rule: 'leak/exposed-file', where: 'GET /server-status', severity: 'medium' },
      { rule: 'oracle/existence', where: '/api/accounts' },
      { rule: 'leak/driver-mysql', where: '/api/search' },
    ],
  );
}
