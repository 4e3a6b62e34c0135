/**
 * A leaky target whose leaks are in channels and encodings the other targets do not use: the status
 * line's reason phrase, an interim (103) answer's fields, only some methods (PUT, PATCH, DELETE),
 * only a form body or an XML one, only a cross-origin request, only a browser's Accept, only well-formed JSON of the wrong types, only the
 * second request of a keep-alive connection, a gzip body cut short or not gzip at all, base64 in a
 * JSON field and in a cookie, JSON inside a JSON string, a text split by inline HTML tags, and a
 * form-encoded (`+`) redirect. One
 * handler serves HTTP/1.1 (node:http) and h2c (node:http2's compatibility API); each leak is under
 * its own path, given to the probe as a `--path` hint. Every other answer is a clean problem JSON.
 */
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { createServer as createH2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** One leaky route: its path, the rule and severity that must report it, and whether HTTP/2 can carry it. */
interface Route extends Planted {
  /** The leak is not there over HTTP/2 (no reason phrase; a Content-Length that lies is a stream error). */
  readonly h1Only?: true;
  /** Answers `req` (its body read as `body`) with the leak, or returns false to answer cleanly. */
  readonly answer: (req: Request, res: Response, body: string) => boolean;
}

const clean = () => ({
  'content-type': 'application/problem+json',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-request-id': crypto.randomUUID(),
});
const CLEAN_BODY = '{"type":"about:blank","title":"Bad Request","status":400}';
/** Answers `status` with `fields` and `body` (and a reason phrase over HTTP/1.1); true. */
const send = (res: Response, status: number, fields: OutgoingHttpHeaders, body: string | Buffer, reason?: string) => {
  if (reason === undefined) res.writeHead(status, fields);
  else (res as ServerResponse).writeHead(status, reason, fields);
  res.end(body);
  return true;
};
const leak = (res: Response, text: string, type = 'application/json') =>
  send(res, 500, { ...clean(), 'content-type': type }, text);
const STACK = 'TypeError: x is undefined\n    at handler (/srv/api/src/routes/orders.js:41:13)';
const b64 = (text: string) => Buffer.from(text).toString('base64');
/** Requests seen per connection (an HTTP/2 session is one connection). */
const seen = new WeakMap<object, number>();

/** The routes: each leak was missed before (see test/red-team-http.test.ts). */
export const RED_TEAM_HTTP_ROUTES: readonly Route[] = [
  {
    where: '/reason',
    rule: 'leak/driver-pg',
    severity: 'high',
    h1Only: true,
    answer: (_req, res) => send(res, 500, clean(), CLEAN_BODY, 'relation "users" does not exist'),
  },
  {
    where: '/put-only',
    rule: 'leak/orm',
    severity: 'high',
    answer: (req, res) => req.method === 'PUT' && leak(res, '{"error":"SequelizeDatabaseError: invalid input"}'),
  },
  {
    where: '/patch-only',
    rule: 'leak/driver-prisma',
    severity: 'high',
    answer: (req, res) =>
      req.method === 'PATCH' && leak(res, '{"error":"Invalid `prisma.order.update()` invocation: bad"}'),
  },
  {
    where: '/delete-only',
    rule: 'leak/driver-mysql',
    severity: 'high',
    answer: (req, res) => req.method === 'DELETE' && leak(res, "Table 'shop.orders' doesn't exist", 'text/plain'),
  },
  {
    where: '/form-only',
    rule: 'leak/stack-node',
    severity: 'high',
    answer: (req, res) =>
      /x-www-form-urlencoded/.test(req.headers['content-type'] ?? '') && leak(res, `URIError: URI malformed\n${STACK}`),
  },
  {
    where: '/xml-only',
    rule: 'leak/stack-node',
    severity: 'high',
    answer: (req, res) =>
      req.headers['content-type'] === 'application/xml' && leak(res, `Error: Unexpected close tag\n${STACK}`),
  },
  {
    // The cors package refusing an origin by throwing, under Express's development error handler.
    where: '/cors',
    rule: 'leak/stack-node',
    severity: 'high',
    answer: (req, res) =>
      req.headers.origin !== undefined && leak(res, `Error: Not allowed by CORS\n${STACK}`, 'text/html'),
  },
  {
    where: '/html-only',
    rule: 'leak/stack-node',
    severity: 'high',
    answer: (req, res) =>
      /text\/html/.test(req.headers.accept ?? '') &&
      leak(res, `<pre>${STACK.replace(/\n/g, '<br>').replace(/ {2}/g, ' &nbsp;')}</pre>`, 'text/html'),
  },
  {
    where: '/typed-only',
    rule: 'leak/driver-pg',
    severity: 'high',
    answer: (_req, res, body) => {
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return false;
      }
      const typed = typeof value === 'object' && value !== null && Object.values(value).some((v) => Array.isArray(v));
      return typed && leak(res, '{"error":"invalid input syntax for type integer: \\"x\\""}');
    },
  },
  {
    where: '/gzip-cut',
    rule: 'leak/driver-mysql',
    severity: 'high',
    h1Only: true,
    answer: (_req, res) => {
      const gzip = gzipSync(`{"error":"ER_NO_SUCH_TABLE: Table 'shop.carts' doesn't exist${' '.repeat(200)}"}`);
      // Content-Length says 12 bytes fewer than the stream: its end (and its CRC) never comes.
      const fields = { ...clean(), 'content-encoding': 'gzip', 'content-length': gzip.length - 12 };
      return send(res, 500, fields, gzip.subarray(0, gzip.length - 12));
    },
  },
  {
    where: '/gzip-lie',
    rule: 'leak/driver-mongo',
    severity: 'high',
    answer: (_req, res) =>
      send(res, 500, { ...clean(), 'content-encoding': 'gzip' }, '{"error":"MongoServerError: bad auth failed"}'),
  },
  {
    where: '/early-hints',
    rule: 'leak/errno',
    severity: 'medium',
    answer: (_req, res) => {
      res.writeEarlyHints({ link: '</static/app.css>; rel=preload', 'x-debug': 'connect ECONNREFUSED 10.2.2.2:5432' });
      return send(res, 400, clean(), CLEAN_BODY);
    },
  },
  {
    where: '/keep-alive',
    rule: 'leak/driver-mongo',
    severity: 'high',
    answer: (req, res) => {
      const connection = 'stream' in req ? req.stream.session : req.socket;
      const count = (seen.get(connection ?? req) ?? 0) + 1;
      seen.set(connection ?? req, count);
      return count >= 2 && leak(res, '{"error":"E11000 duplicate key error collection: shop.carts"}');
    },
  },
  {
    where: '/base64',
    rule: 'leak/stack-node',
    severity: 'high',
    answer: (_q, res) => leak(res, `{"debug":"${b64(STACK)}"}`),
  },
  {
    where: '/double-json',
    rule: 'leak/driver-pg',
    severity: 'high',
    answer: (_req, res) =>
      leak(res, JSON.stringify({ upstream: JSON.stringify({ error: 'relation "orders" does not exist' }) })),
  },
  {
    where: '/html-spans',
    rule: 'leak/driver-pg',
    severity: 'high',
    answer: (_req, res) =>
      leak(
        res,
        '<pre><span class="k">error:</span> relation <b>&quot;users&quot;</b> does not exist</pre>',
        'text/html',
      ),
  },
  {
    where: '/redirect-plus',
    rule: 'leak/driver-pg',
    severity: 'high',
    answer: (_req, res) =>
      send(res, 302, { ...clean(), location: '/error?msg=relation+%22carts%22+does+not+exist' }, ''),
  },
  {
    where: '/cookie-base64',
    rule: 'leak/errno',
    severity: 'medium',
    answer: (_req, res) => {
      const flash = Buffer.from('connect ECONNREFUSED 10.0.0.5:5432').toString('base64url');
      return send(res, 400, { ...clean(), 'set-cookie': `flash=${flash}; Path=/; HttpOnly` }, CLEAN_BODY);
    },
  },
];

function handle(req: Request, res: Response): void {
  let body = '';
  req.on('data', (chunk: Buffer) => {
    if (body.length < 10_000) body += chunk.toString('utf8');
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = RED_TEAM_HTTP_ROUTES.find((r) => path === r.where || path.startsWith(`${r.where}/`));
    if (route?.answer(req, res, body) !== true) send(res, 400, clean(), CLEAN_BODY);
  });
}

/** The red-team channels target over HTTP/1.1 (`http2` false) or h2c. */
export async function redTeamHttp(http2: boolean): Promise<LeakyTarget> {
  const server = http2 ? createH2Server(handle) : createServer(handle);
  const sessions = new Set<{ destroy(): void }>();
  if ('closeAllConnections' in server === false) {
    server.on('session', (session: { destroy(): void; on(e: string, f: () => void): void }) => {
      sessions.add(session);
      session.on('error', () => undefined);
      session.on('close', () => sessions.delete(session));
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: `red team channels (${http2 ? 'h2c' : 'HTTP/1.1'})`,
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: RED_TEAM_HTTP_ROUTES.filter((r) => r.h1Only !== true || !http2),
    close: () =>
      new Promise((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
