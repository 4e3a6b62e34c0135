/**
 * Shapes of the red-team shapes target the probe already read, kept so they stay read: versions only
 * in header fields, a stack in a custom field, in a cookie and in a trailer, an error answered 200, a
 * body made of numeric character references or percent-encoded, deflate and br bodies, a text cut
 * across chunks written apart, a body that stalls after its leak, and a leak only on a path's second
 * request.
 */
import { brotliCompressSync, deflateSync } from 'node:zlib';
import { CLEAN_BODY, clean, count, type Route, send, stack, write } from './shapes-kit.js';

const M = 'medium' as const;
const H = 'high' as const;

/** The routes whose leaks were already read. */
export const READ_ROUTES: readonly Route[] = [
  {
    where: '/server-version',
    rule: 'leak/version',
    severity: M,
    answer: (_q, r) => send(r, { server: 'nginx/1.22.1' }),
  },
  {
    where: '/aspnet',
    rule: 'leak/version',
    severity: M,
    answer: (_q, r) => send(r, { 'x-aspnet-version': '4.0.30319' }),
  },
  {
    where: '/powered-by',
    rule: 'leak/product',
    severity: 'low',
    answer: (_q, r) => send(r, { 'x-powered-by': 'Express' }),
  },
  {
    where: '/field-stack',
    rule: 'leak/stack-node',
    severity: H,
    answer: (_q, r) => send(r, { 'x-error': stack('/field-stack').replace('\n', ' ') }),
  },
  {
    where: '/cookie-stack',
    rule: 'leak/stack-node',
    severity: H,
    answer: (_q, r) => send(r, { 'set-cookie': `err=${encodeURIComponent(stack('/cookie-stack'))}; Path=/` }),
  },
  {
    where: '/trailer',
    rule: 'leak/stack-node',
    severity: H,
    answer: (q, r) => {
      // A HEAD answer has no body, and an HTTP/1.0 one is not chunked, so neither has trailers (Node
      // throws on the Trailer header): answered clean.
      if (q.method === 'HEAD' || q.httpVersion === '1.0') return false;
      r.writeHead(400, { ...clean(), trailer: 'x-debug' });
      write(r, CLEAN_BODY);
      r.addTrailers({ 'x-debug': stack('/trailer').replace('\n', ' ') });
      r.end();
      return true;
    },
  },
  {
    where: '/ok-error',
    rule: 'leak/stack-node',
    severity: H,
    answer: (_q, r) => send(r, {}, JSON.stringify({ error: stack('/ok-error') }), 200),
  },
  {
    where: '/references',
    rule: 'leak/stack-node',
    severity: H,
    answer: (_q, r) =>
      send(r, { 'content-type': 'text/html' }, [...stack('/references')].map((c) => `&#${c.charCodeAt(0)};`).join('')),
  },
  {
    where: '/percent',
    rule: 'leak/stack-node',
    severity: H,
    answer: (_q, r) => send(r, { 'content-type': 'text/plain' }, encodeURIComponent(stack('/percent'))),
  },
  {
    where: '/deflate',
    rule: 'leak/stack-node',
    severity: H,
    answer: (_q, r) => send(r, { 'content-encoding': 'deflate' }, deflateSync(stack('/deflate'))),
  },
  {
    where: '/brotli',
    rule: 'leak/stack-node',
    severity: H,
    answer: (_q, r) => send(r, { 'content-encoding': 'br' }, brotliCompressSync(stack('/brotli'))),
  },
  {
    where: '/chunks',
    rule: 'leak/driver-pg',
    severity: H,
    answer: (_q, r) => {
      r.writeHead(500, clean());
      write(r, '{"error":"relation \\"carts');
      setTimeout(() => write(r, '\\" does not'), 20);
      setTimeout(() => r.end(' exist"}'), 40);
      return true;
    },
  },
  {
    where: '/stall',
    rule: 'leak/driver-mysql',
    severity: H,
    // The leak, then nothing: the body never reaches its Content-Length. Only the path's first two
    // requests stall (each costs the probe its request timeout); later ones get the whole body.
    answer: (_q, r) => {
      const leak = `{"error":"Table 'shop.refunds' doesn't exist"`;
      if (count('/stall') > 2) return send(r, {}, `${leak}}`);
      r.writeHead(500, { ...clean(), 'content-length': 4096 });
      write(r, leak);
      return true;
    },
  },
  {
    where: '/second',
    rule: 'leak/errno',
    severity: M,
    answer: (_q, r) => count('/second') === 2 && send(r, {}, '{"error":"connect ECONNREFUSED 10.4.4.4:6379"}'),
  },
];
