/**
 * A leaky node:http target whose leaks are only on routes that discovery finds (linked from the
 * root's JSON, or a common path that exists), and only to the newer probes: a form body, an XML
 * body, a multipart body cut short, a body whose Content-Encoding it is not, a browser's Accept, a
 * CORS preflight, the second request of a keep-alive connection, HEAD. The base path answers
 * cleanly to everything. Every request is recorded, so a test can say which
 * methods reached which route.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

const problem = (res: ServerResponse, status: number, title: string) => {
  const body = JSON.stringify({ type: 'about:blank', title, status });
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'x-request-id': crypto.randomUUID(),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
};
const leak = (res: ServerResponse, text: string) => {
  res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** Each route, what leaks there and to which request (the rest of its answers are clean). */
const ROUTES: readonly (Planted & { leaks: (req: IncomingMessage, nth: number) => string | undefined })[] = [
  {
    rule: 'leak/stack-node',
    where: '/api/orders',
    leaks: (req) =>
      /x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')
        ? '{"error":"TypeError: bad form\\n    at parseForm (/srv/app/orders.js:3:9)"}'
        : undefined,
  },
  {
    rule: 'leak/driver-pg',
    where: '/api/invoices',
    leaks: (req) =>
      /xml/.test(req.headers['content-type'] ?? '')
        ? '{"error":"relation \\"invoices_xml\\" does not exist"}'
        : undefined,
  },
  {
    rule: 'leak/driver-mysql',
    where: '/api/reports',
    leaks: (req) =>
      req.method === 'GET' && /text\/html/.test(req.headers.accept ?? '')
        ? "<pre>ER_NO_SUCH_TABLE: Table 'app.reports' doesn't exist</pre>"
        : undefined,
  },
  {
    rule: 'leak/private-ip',
    where: '/api/cors',
    leaks: (req) =>
      req.method === 'OPTIONS' && req.headers.origin !== undefined
        ? '{"error":"origin refused by policy service 10.20.30.40"}'
        : undefined,
  },
  {
    rule: 'leak/stack-node',
    where: '/api/session',
    leaks: (_req, nth) =>
      nth > 1 ? '{"error":"Error: stale socket state\\n    at reuse (/srv/app/session.js:8:2)"}' : undefined,
  },
  {
    rule: 'leak/stack-node',
    where: 'HEAD /api/status',
    leaks: () => undefined,
  },
  {
    // An upload route: its parser (busboy, under multer) answers its stack to a multipart body cut short.
    rule: 'leak/stack-node',
    where: '/api/uploads',
    leaks: (req) =>
      /^multipart\/form-data/.test(req.headers['content-type'] ?? '')
        ? '{"error":"Error: Unexpected end of form\\n    at Multipart._final (/srv/app/node_modules/busboy/lib/types/multipart.js:588:17)"}'
        : undefined,
  },
  {
    // A route whose body parser inflates: zlib's error to a body that is not what its Content-Encoding says.
    rule: 'leak/stack-node',
    where: '/api/imports',
    leaks: (req) =>
      req.headers['content-encoding'] !== undefined
        ? '{"error":"Error: incorrect header check\\n    at Zlib.zlibOnError [as onerror] (node:zlib:189:17)"}'
        : undefined,
  },
  {
    // A common path (not linked): it exists (401), and leaks only to a form body.
    rule: 'leak/path',
    where: '/api/users',
    leaks: (req) =>
      /x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')
        ? '{"error":"cannot open /srv/app/config/users.yml"}'
        : undefined,
  },
];

/** The target, given as its base URL only. */
export async function routesTarget(): Promise<LeakyTarget & { readonly received: Set<string> }> {
  const received = new Set<string>();
  const perSocket = new WeakMap<Socket, number>();
  const server = createServer((req, res) => {
    const nth = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, nth);
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const type = req.headers['content-type'] ?? '';
      received.add(`${req.method} ${path} ${type.split(';')[0]}`);
      if (path === '/' && req.method === 'GET') {
        const body = JSON.stringify({
          links: { orders: '/api/orders', invoices: '/api/invoices', reports: '/api/reports' },
          more: ['/api/cors', '/api/session', '/api/status', '/api/uploads', '/api/imports'],
        });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(body);
        return;
      }
      // HEAD on /api/status: a router's automatic HEAD answers the GET handler's error fields, not its body.
      if (path === '/api/status' && req.method === 'HEAD') {
        res.writeHead(500, { 'x-error': 'Error: status unavailable at check (/srv/app/status.js:4:1)' });
        res.end();
        return;
      }
      const route = ROUTES.find((r) => r.where === path || r.where === `HEAD ${path}`);
      if (route === undefined) return problem(res, 404, 'Not Found');
      const text = route.leaks(req, nth);
      if (text !== undefined) return leak(res, text);
      if (path === '/api/users') return problem(res, 401, 'Unauthorized');
      return problem(res, 400, 'Bad Request');
    });
  });
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'node:http, leaks only on discovered routes and only to the newer probes',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: ROUTES.map(({ rule, where }) => ({ rule, where })),
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
