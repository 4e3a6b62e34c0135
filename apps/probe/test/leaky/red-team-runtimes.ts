/**
 * A leaky target on node:http whose texts and channels the earlier red-team targets do not use:
 * private addresses the first signatures let through (172.16/12, IPv6 unique-local, EC2 host
 * names), runtime versions written with a space (`node v20.11.0`) or in their own field
 * (`X-PHP-Version`), framework debug pages (Spring's Whitelabel page, Django's debug page) and debug
 * fields (Symfony's `X-Debug-Exception`), exception messages without their stack (`TypeError: …`,
 * `KeyError: …`), Rust panics, Go's `database/sql` and pg's connection errors, environment dumps
 * (`DB_PASS`), connection strings without a user name, system paths (`/etc/…`, a cookie's `Path`).
 * Some leak on every request, a few lines to a path (never two of one rule on a path); others only
 * on one channel: HEAD, `Accept: text/html`, a server-sent event stream, a brotli body, a cookie.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { brotliCompressSync } from 'node:zlib';
import type { Severity } from '../../src/findings.js';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

/** One leaked text: the rule and severity that must report it, and what its finding's evidence holds. */
export interface RuntimeLeak extends Planted {
  readonly severity: Severity;
  /** Part of the evidence of the finding that reports it. */
  readonly needle: string;
}

const M = 'medium' as const;
/** [rule, body line, needle, severity (high when absent)]: every text here was missed before. */
const TEXTS: readonly LeakText[] = [
  ['leak/private-ip', 'upstream 172.20.1.5 refused the connection', '172.20.1.5', M],
  ['leak/private-ip', 'upstream [fd12:3456:789a::1]:8080 refused the connection', 'fd12:3456', M],
  ['leak/private-ip', 'served by ip-10-0-1-23', 'ip-10-0-1-23', M],
  ['leak/version', '{"error":"internal","runtime":"node v20.11.0"}', 'node v20', M],
  ['leak/version', 'Powered by Express 4.18.2', 'Express 4.18', M],
  ['leak/exception', "TypeError: Cannot read properties of undefined (reading 'id')", 'Cannot read', M],
  ['leak/exception', "KeyError: 'user_id'", 'KeyError', M],
  ['leak/stack-rust', "thread 'tokio-runtime-worker' panicked at src/handlers/user.rs:42:18:", 'panicked'],
  ['leak/stack-ruby', 'ActionController::RoutingError (No route matches [GET] "/x")', 'ActionController'],
  ['leak/stack-java', 'kotlinx.coroutines.JobCancellationException: Job was cancelled', 'kotlinx'],
  ['leak/sql', 'sql: no rows in result set', 'no rows'],
  ['leak/sql', 'HikariPool-1 - Connection is not available, request timed out after 30000ms.', 'HikariPool'],
  ['leak/driver-pg', 'FATAL:  password authentication failed for user "app"', 'authentication failed'],
  ['leak/driver-pg', 'Key (email)=(a@b.co) already exists.', 'Key (email)'],
  ['leak/errno', 'getaddrinfo ENOTFOUND orders-db', 'ENOTFOUND orders-db', M],
  ['leak/secret', '{"env":{"NODE_ENV":"production","DB_PASS":"hunter2x"}}', 'DB_PASS'],
  ['leak/secret', 'cache: redis://:p4ssw0rd@cache:6379/0', 'p4ssw0rd'],
  ['leak/secret', `AccountName=shop;AccountKey=${'k9'.repeat(43)}==;EndpointSuffix=core.windows.net`, 'AccountKey'],
  ['leak/secret', 'token glpat-Zx8fQ2mN4pL7rT1vW3yB', 'glpat-'],
  ['leak/path', 'open /etc/shop/config.yaml: no such file or directory', '/etc/shop', M],
  ['leak/driver-pg', 'value "9999999999" is out of range for type integer', 'out of range'],
  ['leak/driver-mysql', "Data too long for column 'name' at row 1", 'Data too long'],
  [
    'leak/driver-mysql',
    'Cannot add or update a child row: a foreign key constraint fails (`shop`.`orders`)',
    'child row',
  ],
  ['leak/sql', 'The INSERT statement conflicted with the FOREIGN KEY constraint "FK_Orders_Users".', 'conflicted'],
  ['leak/sql', "String or binary data would be truncated in table 'Shop.dbo.Users'", 'truncated'],
  ['leak/sql', 'index_not_found_exception: no such index [orders]', 'index_not_found'],
  ['leak/driver-prisma', 'Argument `id`: Invalid value provided. Expected Int, provided String.', 'Argument `id`'],
  [
    'leak/stack-python',
    'django.core.exceptions.ImproperlyConfigured: DATABASES is improperly configured',
    'django.core',
  ],
  ['leak/stack-php', 'Illuminate\\Database\\QueryException', 'Illuminate'],
  ['leak/stack-dotnet', '   at Program.<Main>$(String[] args) in /src/Program.cs:line 12', 'Program.cs'],
  ['leak/secret', "SECRET_KEY = 'django-insecure-8f2k1m3n5b7v9c'", 'SECRET_KEY'],
  ['leak/secret', 'secret_key_base: 1f2e3d4c5b6a79881f2e3d4c5b6a7988', 'secret_key_base'],
];

/** A planted text: [rule, body line, needle, severity (high when absent)]. */
export type LeakText = readonly [string, string, string, Severity?];

/** Whether `a` and `b` cannot share a path: one rule, or an exception and a stack (it is reported as the stack). */
const clash = (a: string, b: string) =>
  a === b || [a, b].every((rule) => rule === 'leak/exception' || rule.startsWith('leak/stack-'));

/**
 * Each of `texts` on the first path `<prefix>-<n>` that holds no text it `clashes` with (by
 * default: no other text of its rule, nor an exception with a stack).
 */
export function groupedLeaks(texts: readonly LeakText[], prefix: string, clashes = clash): RuntimeLeak[] {
  const groups: Set<string>[] = [];
  return texts.map(([rule, , needle, severity = 'high']) => {
    let index = groups.findIndex((rules) => ![...rules].some((other) => clashes(rule, other)));
    if (index === -1) index = groups.push(new Set()) - 1;
    groups[index]?.add(rule);
    return { rule, where: `${prefix}-${index + 1}`, severity, needle };
  });
}

/** The body texts, each with the path that answers it. */
export const RUNTIME_TEXTS: readonly RuntimeLeak[] = groupedLeaks(TEXTS, '/texts');
const LINES = new Map(RUNTIME_TEXTS.map((leak, i) => [leak, TEXTS[i]?.[1] ?? '']));

const clean = () => ({
  'content-type': 'application/problem+json',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-request-id': crypto.randomUUID(),
});
const CLEAN_BODY = '{"type":"about:blank","title":"Bad Request","status":400}';
const WHITELABEL =
  '<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p><div>There was an unexpected error (type=Internal Server Error, status=500).</div></body></html>';
const DJANGO =
  '<div id="summary"><h1>OperationalError at /orders</h1><table class="meta"><tr><th>Request Method:</th><td>GET</td></tr></table></div><div id="explanation"><p>You&#x27;re seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p></div>';

/** One channel route: its leak, and how it answers (false: answer cleanly). */
interface ChannelRoute extends RuntimeLeak {
  readonly answer: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** The channel routes: each leak was missed before. */
export const RUNTIME_CHANNELS: readonly ChannelRoute[] = [
  {
    where: '/whitelabel',
    rule: 'leak/debug',
    severity: M,
    needle: 'Whitelabel',
    answer: (req, res) =>
      /text\/html/.test(req.headers.accept ?? '') &&
      Boolean(res.writeHead(500, { ...clean(), 'content-type': 'text/html' }).end(WHITELABEL)),
  },
  {
    where: '/django',
    rule: 'leak/debug',
    severity: M,
    needle: 'DEBUG = True',
    answer: (_req, res) => Boolean(res.writeHead(500, { ...clean(), 'content-type': 'text/html' }).end(DJANGO)),
  },
  {
    where: '/php-head',
    rule: 'leak/version',
    severity: M,
    needle: '8.1.2',
    answer: (req, res) =>
      req.method === 'HEAD' && Boolean(res.writeHead(400, { ...clean(), 'x-php-version': '8.1.2' }).end()),
  },
  {
    where: '/symfony',
    rule: 'leak/debug',
    severity: M,
    needle: 'x-debug-exception',
    answer: (_req, res) => {
      const fields = { 'x-debug-exception': 'Undefined%20index%3A%20id', 'x-debug-token': 'a1b2c3' };
      return Boolean(res.writeHead(500, { ...clean(), ...fields }).end(CLEAN_BODY));
    },
  },
  {
    where: '/cookie-path',
    rule: 'leak/path',
    severity: M,
    needle: '/var/www/shop',
    answer: (_req, res) =>
      Boolean(res.writeHead(400, { ...clean(), 'set-cookie': 'sid=a1; Path=/var/www/shop; HttpOnly' }).end(CLEAN_BODY)),
  },
  {
    where: '/events',
    rule: 'leak/exception',
    severity: M,
    needle: 'ReferenceError',
    answer: (_req, res) => {
      res.writeHead(200, { ...clean(), 'content-type': 'text/event-stream' });
      res.write('event: ready\ndata: {}\n\n');
      setTimeout(() => res.end('event: error\ndata: {"message":"ReferenceError: orderId is not defined"}\n\n'), 20);
      return true;
    },
  },
  {
    where: '/brotli',
    rule: 'leak/private-ip',
    severity: M,
    needle: 'orders-7f9c',
    answer: (_req, res) =>
      Boolean(
        res
          .writeHead(502, { ...clean(), 'content-encoding': 'br' })
          .end(brotliCompressSync('{"error":"upstream orders-7f9c.shop.svc.cluster.local timed out"}')),
      ),
  },
];

/** Every planted leak of the target. */
export const RUNTIME_PLANTED: readonly RuntimeLeak[] = [...RUNTIME_TEXTS, ...RUNTIME_CHANNELS];

/** The target: group paths answer their texts (a line each), channel paths their leak; clean problem JSON elsewhere. */
export async function redTeamRuntimes(): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('error', () => undefined);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const under = (where: string) => path === where || path.startsWith(`${where}/`);
    const route = RUNTIME_CHANNELS.find((r) => under(r.where));
    if (route !== undefined) {
      if (!route.answer(req, res)) res.writeHead(400, clean()).end(CLEAN_BODY);
      return;
    }
    const texts = RUNTIME_TEXTS.filter((t) => under(t.where)).map((t) => LINES.get(t) ?? '');
    res.writeHead(texts.length === 0 ? 404 : 500, { ...clean(), 'content-type': 'text/plain' });
    res.end(texts.length === 0 ? CLEAN_BODY : texts.join('\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'red team runtimes',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: RUNTIME_PLANTED,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
