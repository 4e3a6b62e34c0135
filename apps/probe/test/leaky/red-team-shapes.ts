/**
 * A leaky target whose leaks take shapes the other targets do not: an internal host only in a
 * proxy's or backend's field (`Via`, `X-Backend-Server`) or in a redirect's `Location` and a
 * `Refresh` (a host name without a dot), a stack only for TRACE, only for a multipart body cut short
 * (an upload parser), only for a body whose Content-Encoding it is not (a decoder), a duplicate key
 * only when the same create comes twice, a text cut across the lines of a MIME base64 run, and a
 * stack only for a Host that is no host or a cookie whose percent-encoding is broken (each was missed
 * before, see test/red-team-shapes.test.ts); and the shapes of `shapes-read.ts`. One
 * handler serves HTTP/1.1 (node:http) and h2c (node:http2's compatibility API); each leak is under
 * its own path, given to the probe as a `--path` hint, with a text of its own. Every other answer is
 * a clean problem JSON.
 */
import { createServer } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import type { LeakyTarget } from './planted.js';
import { portOf } from './planted.js';
import { CLEAN_BODY, count, type Request, type Response, type Route, resetCounts, send, stack } from './shapes-kit.js';
import { READ_ROUTES } from './shapes-read.js';

/** Base64 in lines of 76 characters (MIME), as Python's `encodebytes` and Java's MIME encoder write it. */
const mime = (text: string) => `${Buffer.from(text).toString('base64').replace(/.{76}/g, '$&\n')}\n`;
const M = 'medium' as const;
const H = 'high' as const;

/** The routes whose leaks were missed before. */
const MISSED_ROUTES: readonly Route[] = [
  {
    where: '/via',
    rule: 'leak/private-ip',
    severity: M,
    answer: (_q, r) => send(r, { via: '1.1 orders-svc:8080' }),
  },
  {
    where: '/backend',
    rule: 'leak/private-ip',
    severity: M,
    answer: (_q, r) => send(r, { 'x-backend-server': 'orders-7d9f8c5b4-xk2lp:8080' }),
  },
  {
    where: '/redirect-host',
    rule: 'leak/private-ip',
    severity: M,
    answer: (_q, r) => send(r, { location: 'http://auth-svc/login?next=%2Forders' }, '', 302),
  },
  {
    where: '/refresh',
    rule: 'leak/private-ip',
    severity: M,
    answer: (_q, r) => send(r, { refresh: '0; url=http://billing-api/errors' }),
  },
  {
    where: '/trace-only',
    rule: 'leak/stack-node',
    severity: H,
    answer: (q, r) => q.method === 'TRACE' && send(r, { 'content-type': 'text/plain' }, stack('/trace-only')),
  },
  {
    where: '/multipart-only',
    rule: 'leak/stack-node',
    severity: H,
    answer: (q, r) =>
      /^multipart\/form-data/.test(q.headers['content-type'] ?? '') &&
      send(
        r,
        { 'content-type': 'text/plain' },
        'Error: Unexpected end of form\n    at Multipart._final (/srv/api/node_modules/busboy/lib/types/multipart.js:588:17)',
      ),
  },
  {
    where: '/encoding-only',
    rule: 'leak/stack-node',
    severity: H,
    answer: (q, r) =>
      q.headers['content-encoding'] !== undefined &&
      send(
        r,
        {},
        JSON.stringify({
          error: 'Error: incorrect header check\n    at Zlib.zlibOnError [as onerror] (node:zlib:189:17)',
        }),
      ),
  },
  {
    where: '/duplicate',
    rule: 'leak/driver-mongo',
    severity: H,
    answer: (q, r, body) => {
      if (q.method !== 'POST' || !/json/.test(q.headers['content-type'] ?? '')) return false;
      try {
        if (typeof JSON.parse(body) !== 'object') return false;
      } catch {
        return false;
      }
      // A store that takes any object, with a unique index: the same create the second time is a duplicate.
      if (count(`create ${body}`) === 1) return send(r, { 'content-type': 'application/json' }, '{"id":"1"}', 201);
      return send(r, {}, '{"error":"E11000 duplicate key error collection: shop.users index: email_1"}');
    },
  },
  {
    where: '/mime-base64',
    rule: 'leak/driver-pg',
    severity: H,
    // The signature's text is cut by the first line break: no line holds it whole.
    answer: (_q, r) =>
      send(
        r,
        {},
        JSON.stringify({ debug: mime(`${'upstream failed: '.padEnd(50, '.')}relation "invoices" does not exist`) }),
      ),
  },
  {
    // A handler that builds its URL from the Host field: `new URL` throws on a Host that is no host.
    where: '/host-only',
    rule: 'leak/stack-node',
    severity: H,
    h1Only: true,
    answer: (q, r) => {
      try {
        new URL(q.url ?? '/', `http://${q.headers.host ?? 'localhost'}`);
        return false;
      } catch (error) {
        return send(r, { 'content-type': 'text/plain' }, String((error as Error).stack));
      }
    },
  },
  {
    // A hand-rolled cookie parser: decodeURIComponent throws on a cookie whose percent-encoding is broken.
    where: '/cookie-only',
    rule: 'leak/stack-node',
    severity: H,
    answer: (q, r) => {
      try {
        const pairs = (q.headers.cookie ?? '').split(';').filter((pair) => pair.includes('='));
        Object.fromEntries(pairs.map((pair) => pair.trim().split('=').map(decodeURIComponent)));
        return false;
      } catch (error) {
        return send(r, {}, JSON.stringify({ error: String((error as Error).stack) }));
      }
    },
  },
];

/** Every route of the target. */
export const SHAPE_ROUTES: readonly Route[] = [
  ...MISSED_ROUTES.map((route) => ({ ...route, missedBefore: true as const })),
  ...READ_ROUTES,
];

function handle(req: Request, res: Response): void {
  let body = '';
  req.on('data', (chunk: Buffer) => {
    if (body.length < 10_000) body += chunk.toString('utf8');
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = SHAPE_ROUTES.find((r) => path === r.where || path.startsWith(`${r.where}/`));
    if (route?.answer(req, res, body) !== true) send(res, {}, CLEAN_BODY, 400);
  });
}

/** The shapes target over HTTP/1.1 (`http2` false) or h2c. */
export async function redTeamShapes(http2: boolean): Promise<LeakyTarget> {
  resetCounts();
  const server = http2 ? createH2Server(handle) : createServer(handle);
  const sessions = new Set<{ destroy(): void }>();
  server.on('session', (session: { destroy(): void; on(e: string, f: () => void): void }) => {
    sessions.add(session);
    session.on('error', () => undefined);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: `red team shapes (${http2 ? 'h2c' : 'HTTP/1.1'})`,
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: SHAPE_ROUTES.filter((route) => route.h1Only !== true || !http2),
    close: () =>
      new Promise((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
