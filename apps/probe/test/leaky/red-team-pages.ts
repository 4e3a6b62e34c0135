/**
 * Routes of the negotiation target (see `red-team-negotiation.ts`) whose leaks are in pages and
 * places the probe did not read as leaks: Express's development error page for a bundled server
 * (frames after `<br>`, with webpack's source URLs or relative paths), Next.js's development error
 * data (an anonymous `webpack-internal` frame), Jetty's error page, a PHP notice without a file, a Rust panic at an absolute path, the
 * Django debug 404 page, a `Warning` field's agent, a `WWW-Authenticate` realm,
 * an `X-Exception-*` field of a HEAD answer and a 204's body sent anyway (with its head, or a moment later). Each answers on every
 * request to its path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Planted } from './planted.js';
import { CLEAN_BODY, clean, stack } from './shapes-kit.js';

/** One route of the negotiation target: its leak, and how it answers (false: answer cleanly). */
export interface PlainRoute extends Planted {
  readonly answer: (req: IncomingMessage, res: ServerResponse, body: string) => boolean;
}

/** Answers `status` with the clean fields, `fields` added, and `body`; true. */
export const answer = (res: ServerResponse, status: number, fields: Record<string, string>, body: string) => {
  res.writeHead(status, { ...clean(), ...fields }).end(body);
  return true;
};
const html = (res: ServerResponse, body: string, status = 500) =>
  answer(res, status, { 'content-type': 'text/html' }, body);
const frame = (line: string) => `<br> &nbsp; &nbsp;at ${line}`;

/** The page routes: each leak was missed before (see test/red-team-negotiation.test.ts). */
export const PAGE_ROUTES: readonly PlainRoute[] = [
  {
    where: '/express-webpack',
    rule: 'leak/stack-node',
    answer: (_q, s) =>
      html(
        s,
        `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Error: lookup failed${frame('handler (webpack:///./src/routes/orders.ts:12:9)')}${frame('Layer.handle [as handle_request] (webpack:///./node_modules/express/lib/router/layer.js:95:5)')}</pre>\n</body>\n</html>\n`,
      ),
  },
  {
    where: '/express-relative',
    rule: 'leak/stack-node',
    answer: (_q, s) => html(s, `<pre>Error: invoice failed${frame('render (dist/invoices.js:3:9)')}</pre>`),
  },
  {
    where: '/next-dev',
    rule: 'leak/stack-node',
    answer: (_q, s) => {
      const err = {
        name: 'Error',
        message: 'cart failed',
        stack: 'Error: cart failed\n    at webpack-internal:///(api)/./pages/api/cart.ts:14:11',
      };
      return html(
        s,
        `<script id="__NEXT_DATA__" type="application/json">${JSON.stringify({ page: '/_error', err })}</script>`,
      );
    },
  },
  {
    where: '/jetty',
    rule: 'leak/version',
    answer: (_q, s) =>
      html(
        s,
        '<h2>HTTP ERROR 500 Server Error</h2><hr/><a href="https://eclipse.org/jetty">Powered by Jetty:// 9.4.44.v20210927</a><hr/>',
      ),
  },
  {
    where: '/php-notice',
    rule: 'leak/stack-php',
    answer: (_q, s) => html(s, 'Deprecated: Creation of dynamic property is deprecated in Unknown on line 0'),
  },
  // A Rust panic whose file is an absolute path: Rust's, not a Node.js frame (`at /usr/src/…:10:5`).
  {
    where: '/rust-absolute',
    rule: 'leak/stack-rust',
    answer: (_q, s) =>
      answer(
        s,
        500,
        { 'content-type': 'text/plain' },
        "thread 'main' panicked at /usr/src/app/src/main.rs:10:5:\nindex out of bounds",
      ),
  },
  {
    where: '/django-404',
    rule: 'leak/debug',
    answer: (_q, s) =>
      html(
        s,
        '<p>Using the URLconf defined in <code>shop.urls</code>, Django tried these URL patterns, in this order:</p>',
        404,
      ),
  },
  {
    where: '/warning',
    rule: 'leak/private-ip',
    answer: (_q, s) => answer(s, 503, { warning: '199 orders-svc:8080 "upstream stale"' }, CLEAN_BODY),
  },
  {
    where: '/realm',
    rule: 'leak/private-ip',
    answer: (_q, s) => answer(s, 401, { 'www-authenticate': 'Basic realm="auth-svc:9000"' }, CLEAN_BODY),
  },
  {
    where: '/head-fields',
    rule: 'leak/debug',
    answer: (q, s) =>
      q.method === 'HEAD' &&
      answer(s, 500, { 'x-exception-class': 'OrderRepositoryException', 'content-length': '0' }, ''),
  },
  {
    // node:http drops a 204's body: the answer is written on the socket as it is, head and body at once.
    where: '/no-content',
    rule: 'leak/stack-node',
    answer: (_q, s) => {
      (s.socket as Socket).end(`HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n${stack('/no-content')}`);
      return true;
    },
  },
  {
    // Round 5: the 204's head first, its body a moment later in a packet of its own (not waited for before).
    where: '/no-content-late',
    rule: 'leak/stack-node',
    answer: (_q, s) => {
      const socket = s.socket as Socket;
      socket.write('HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n');
      setTimeout(() => socket.end(stack('/no-content-late')), 40);
      return true;
    },
  },
];
