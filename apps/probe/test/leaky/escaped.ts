/**
 * A leaky target on node:http whose leaks are carried the way real stacks carry them: escaped in
 * JSON strings and HTML error pages, in UTF-16, in a redirect, and in texts the first signature set
 * did not know (Windows and file:// paths, `this.prisma`, env dumps, Java and Go behind a Node
 * gateway, SQLite, backtick-quoted SQL, Mongoose, a service host in a connection error). Each leak
 * is answered on every request under its own path, which the probe is given as a `--path` hint.
 */
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

/** One leaky route: its path, its answer, and the rule that must report it. */
interface Route {
  readonly path: string;
  readonly rule: string;
  readonly status?: number;
  readonly headers?: OutgoingHttpHeaders;
  readonly body: string | Buffer;
}

const json = (value: unknown) => JSON.stringify(value);
const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

/** The routes: every leak here was missed before (see test/escaped.test.ts). */
export const ESCAPED_ROUTES: readonly Route[] = [
  {
    // Express's development error page: the message is HTML-escaped.
    path: '/html-pg',
    rule: 'leak/driver-pg',
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: '<!DOCTYPE html><html><body><pre>error: relation &quot;sessions&quot; does not exist</pre></body></html>',
  },
  {
    path: '/json-python',
    rule: 'leak/stack-python',
    body: json({ error: 'File "/srv/api/views.py", line 12, in get' }),
  },
  {
    path: '/utf16-mongo',
    rule: 'leak/driver-mongo',
    headers: { 'content-type': 'application/json' },
    body: utf16(json({ error: 'E11000 duplicate key error collection: shop.users index: email_1 dup key' })),
  },
  {
    path: '/utf16be-pg',
    rule: 'leak/driver-pg',
    headers: { 'content-type': 'application/json; charset=utf-16be' },
    body: Buffer.from(json({ error: 'syntax error at or near "FROM"' }), 'utf16le').swap16(),
  },
  { path: '/windows-path', rule: 'leak/path', body: json({ error: "ENOENT: open 'C:\\app\\config\\db.json'" }) },
  {
    path: '/file-url',
    rule: 'leak/path',
    body: json({ error: 'Cannot load file:///data/svc/plugins/audit.mjs' }),
  },
  {
    path: '/prisma',
    rule: 'leak/driver-prisma',
    body: json({ error: 'Invalid `this.prisma.user.findUnique()` invocation: record not found' }),
  },
  {
    path: '/env-dump',
    rule: 'leak/secret',
    body: json({ env: { NODE_ENV: 'production', JWT_SECRET: 's3cr3t-signing-value' } }),
  },
  {
    path: '/java-upstream',
    rule: 'leak/stack-java',
    body: json({ error: 'upstream: java.lang.IllegalStateException: pool exhausted' }),
  },
  { path: '/go-upstream', rule: 'leak/stack-go', body: json({ error: 'handler failed at /build/api/users.go:88' }) },
  {
    path: '/redirect',
    rule: 'leak/private-ip',
    status: 302,
    headers: { location: 'http://auth.prod.svc:8443/login' },
    body: '',
  },
  {
    path: '/sqlite',
    rule: 'leak/sql',
    body: json({ error: 'SQLITE_CONSTRAINT: UNIQUE constraint failed: users.email' }),
  },
  {
    path: '/mongoose',
    rule: 'leak/orm',
    body: json({ error: 'Cast to ObjectId failed for value "abc" (type string) at path "_id"' }),
  },
  {
    path: '/link-local',
    rule: 'leak/private-ip',
    body: json({ error: 'no credentials from http://169.254.169.254/latest/meta-data/iam' }),
  },
  { path: '/errno-host', rule: 'leak/errno', body: json({ error: 'connect ECONNREFUSED redis:6379' }) },
];

/** The escaped-leaks target: each route of {@link ESCAPED_ROUTES} under its own path. */
export async function escapedApi(): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = ESCAPED_ROUTES.find((r) => path === r.path || path.startsWith(`${r.path}/`));
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(json({ error: 'not found' }));
      return;
    }
    res.writeHead(route.status ?? 500, { 'content-type': 'application/json', ...route.headers });
    res.end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const planted: Planted[] = ESCAPED_ROUTES.map((r) => ({ rule: r.rule, where: r.path }));
  return {
    name: 'plain http, escaped and unusual leaks',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
