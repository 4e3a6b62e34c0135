/**
 * A leaky raw-TCP HTTP/1.1 server whose leaks are in head text that a parser joins or rejects: an
 * obsolete line folding (RFC 9112 §5.2) continuing a field with a stack frame or with PostgreSQL
 * text (a continuation without a colon), a field name holding a path, a bare LF that makes the
 * head unparseable, an answer that is not HTTP at all, and a head that never ends. Each under its own path, given as a
 * `--path` hint; every other request gets a clean problem JSON.
 */
import { createServer, type Socket } from 'node:net';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

const CLEAN_BODY = '{"type":"about:blank","title":"Not Found","status":404}';
const CLEAN = [
  'HTTP/1.1 404 Not Found',
  'content-type: application/problem+json',
  'x-content-type-options: nosniff',
  'cache-control: no-store',
  `content-length: ${CLEAN_BODY.length}`,
  'connection: close',
].join('\r\n');

/** An error head with `fields` (written as given, folds and all) and an empty body. */
const head = (fields: string) =>
  `HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/problem+json\r\n${fields}content-length: 0\r\nconnection: close\r\n\r\n`;

const ROUTES: readonly (Planted & { raw: string })[] = [
  {
    rule: 'leak/stack-node',
    where: '/fold-stack',
    raw: head('x-debug: Error: boom\r\n    at handler (/srv/app/index.js:10:5)\r\n'),
  },
  {
    rule: 'leak/driver-pg',
    where: '/fold-pg',
    raw: head('x-debug: query failed\r\n\tduplicate key value violates unique constraint "users_email_key"\r\n'),
  },
  { rule: 'leak/path', where: '/field-name', raw: head('x-trace-/srv/app/src/db.js: 1\r\n') },
  { rule: 'leak/stack-node', where: '/bare-lf', raw: head('x-debug: ok\n    at handler (/srv/app/bare.js:3:9)\r\n') },
  {
    rule: 'leak/errno',
    where: '/not-http',
    raw: 'Error: connect ECONNREFUSED 10.0.0.7:5432\n    at TCPConnectWrap (/srv/app/db.js:1:1)\n',
  },
  {
    // A head begun and never ended: the target stalls in it.
    rule: 'leak/stack-node',
    where: '/stalled-head',
    raw: 'HTTP/1.1 500 Internal Server Error\r\nx-debug: Error: stuck\r\n    at handler (/srv/app/stall.js:2:3)\r\n',
  },
];

/** The target; the planted leaks' paths are the hints. */
export async function foldedFields(): Promise<LeakyTarget> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      if (received.includes('\r\n')) return;
      received += chunk.toString('latin1');
      const line = received.split('\r\n')[0] ?? '';
      if (!received.includes('\r\n')) return;
      const path = line.split(' ')[1] ?? '';
      const route = ROUTES.find((r) => path.startsWith(r.where));
      if (route?.where === '/stalled-head') socket.write(route.raw);
      else
        socket.end(
          route === undefined ? `${CLEAN}\r\nx-request-id: ${crypto.randomUUID()}\r\n\r\n${CLEAN_BODY}` : route.raw,
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'raw HTTP/1.1 server, leaks in folded fields, a field name, a rejected head and a non-HTTP answer',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: ROUTES.map(({ rule, where }) => ({ rule, where })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
