/**
 * The generated nginx and HAProxy in front of a hostile or broken backend that speaks raw HTTP/1.1
 * (a Node TCP server): a 5xx cut short after its headers, an answer that is not HTTP, an interim
 * 1xx before a leaky 500, headers that name the proxies behind the gateway; and option values that
 * would break or inject into the generated configuration.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHaproxy, renderNginx } from '../src/index.js';
import { expectFaultlineAnswer, LEAKS, logged } from './answers.js';
import { type Backend, startBackend } from './backend.js';
import { curl, type Exchange, type Gateway, headerValues, startHaproxy, startNginx } from './gateway.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

const HTML = '<html><pre>TypeError at Orders.insert (/srv/app/orders.js:27:3)</pre></html>';
const CUT_HEAD =
  'HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: 5000\r\n\r\n<pre>at /srv/app';

/** What the raw backend answers, by path. */
const ROUTES: Record<string, (socket: Socket) => void> = {
  // A 5xx whose body stops short of its Content-Length: closed, reset, or silent.
  '/api/cut-close': (socket) => socket.end(CUT_HEAD),
  '/api/cut-reset': (socket) => {
    socket.write(CUT_HEAD);
    setTimeout(() => socket.resetAndDestroy(), 50);
  },
  '/api/cut-silent': (socket) => socket.write(CUT_HEAD),
  '/api/html': (socket) =>
    socket.end(
      `HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: ${HTML.length}\r\n\r\n${HTML}`,
    ),
  // A foreign page in another charset (Apache's own error pages are iso-8859-1), and in UTF-8.
  '/api/latin1': (socket) =>
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html; charset=iso-8859-1\r\ncontent-length: ${HTML.length}\r\n\r\n${HTML}`,
    ),
  '/api/utf8': (socket) =>
    socket.end(
      `HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: ${HTML.length}\r\n\r\n${HTML}`,
    ),
  // Not HTTP: nginx passes such bytes on raw (as an HTTP/0.9 answer).
  '/api/garbage': (socket) => socket.end(`Traceback (most recent call last) /srv/app\r\n\r\n${HTML}`),
  '/api/status-5000': (socket) =>
    socket.end(`HTTP/1.1 5000 Oops\r\ncontent-type: text/html\r\ncontent-length: ${HTML.length}\r\n\r\n${HTML}`),
  // An interim 103 before a leaky 500 (Node's writeEarlyHints, for example).
  '/api/early-hints': (socket) =>
    socket.end(
      `HTTP/1.1 103 Early Hints\r\nlink: </srv/app/x.css>\r\n\r\nHTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: ${HTML.length}\r\n\r\n${HTML}`,
    ),
  // Headers that name the proxies and products behind the gateway, on a success and a 4xx.
  '/api/via': (socket) =>
    socket.end(
      'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nvia: 1.1 varnish (Varnish/6.0)\r\nserver: Apache/2.4.1\r\nx-powered-by: Express\r\ncontent-length: 2\r\n\r\nok',
    ),
  '/api/via-404': (socket) =>
    socket.end(
      'HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\nvia: 1.1 squid/5.7\r\ncontent-length: 2\r\n\r\nno',
    ),
};

let backendPort = 0;
/** The request targets the raw backend received. */
const seen: string[] = [];
/** Answers one request head with its route's answer (an empty 200 for any other path). */
function answer(head: string, socket: Socket): void {
  const path = head.split(' ')[1] ?? '';
  seen.push(path);
  (ROUTES[path] ?? ((s: Socket) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')))(socket);
}
let backend: RawBackend | undefined;

const gateways: Record<'nginx' | 'haproxy', Gateway> = {} as Record<'nginx' | 'haproxy', Gateway>;

beforeAll(async () => {
  backend = await startRawBackend(answer);
  backendPort = backend.port;
  const options = { upstreams: [`127.0.0.1:${backendPort}`], routes: ['/api/'], readTimeout: 1 };
  gateways.nginx = await startNginx(await freePort(), options);
  gateways.haproxy = await startHaproxy(await freePort(), options);
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await backend?.stop();
});

/** The final answer of a curl exchange: an interim `100 Continue` before it is skipped. */
function final(exchange: Exchange): Exchange {
  if (exchange.status !== 100) return exchange;
  const raw = exchange.raw.slice(exchange.raw.indexOf('\r\n\r\n') + 4);
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = raw.slice(0, split).split('\r\n');
  const headers = lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
  });
  const [protocol = '', status = '0'] = statusLine.split(' ');
  return { ...exchange, protocol, status: Number(status), headers, body: raw.slice(split + 4), raw };
}

const get = (gateway: 'nginx' | 'haproxy', path: string) => curl([`http://127.0.0.1:${gateways[gateway].port}${path}`]);

describe.each(['nginx', 'haproxy'] as const)('%s in front of a broken backend', (name) => {
  it.each(['cut-close', 'cut-reset', 'cut-silent'])(
    'a 5xx HTML page cut short after its headers (%s): the whole 500 page, logged',
    async (path) => {
      const exchange = await get(name, `/api/${path}`);
      expect(exchange.exit).toBe(0);
      const id = expectFaultlineAnswer(exchange, 500, 'INTERNAL');
      expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id });
    },
  );

  it("a foreign page in iso-8859-1: the page's own type, charset=utf-8 (not the backend's)", async () => {
    expectFaultlineAnswer(await get(name, '/api/latin1'), 503, 'UNAVAILABLE');
  });

  it('Via, Server and X-Powered-By from the backend never reach the client (success and 4xx)', async () => {
    for (const path of ['/api/via', '/api/via-404']) {
      const exchange = await get(name, path);
      expect([200, 404]).toContain(exchange.status);
      for (const header of ['via', 'server', 'x-powered-by']) expect(headerValues(exchange, header)).toEqual([]);
      expect(exchange.raw).not.toMatch(/varnish|squid|apache|express/i);
    }
  });
});

describe.each(['nginx', 'haproxy'] as const)('%s: the routes cannot be left through dot-segments', (name) => {
  it.each([
    '/api/../admin',
    '/api/%2e%2e/admin',
    '/api/..%2fadmin',
    '/api/%2E%2E%2Fadmin',
    '/api/./../admin',
    '/api/..',
  ])('%s: 404 in the same shape, never sent to the backend', async (path) => {
    const exchange = await curl(['--path-as-is', `http://127.0.0.1:${gateways[name].port}${path}`]);
    expectFaultlineAnswer(exchange, 404, 'NOT_FOUND');
    expect(seen).not.toContain(path);
  });

  it('paths with dots that are not dot-segments reach the backend', async () => {
    for (const path of ['/api/.well-known/x', '/api/a..b', '/api/v1.2/x', '/api/x?q=/../']) {
      expect((await curl(['--path-as-is', `http://127.0.0.1:${gateways[name].port}${path}`])).status).toBe(200);
      expect(seen).toContain(path);
    }
  });
});

describe('nginx: backend answers it would pass on unfiltered are refused', () => {
  it.each([
    ['not HTTP at all', '/api/garbage', 0],
    ['a four-digit status', '/api/status-5000', 0],
    ['an interim 103 before a leaky 500', '/api/early-hints', 103],
  ])('%s (%s): the connection closes with nothing sent; logged with status %i', async (_name, path, status) => {
    const id = randomUUID();
    const raw = await rawHttpExchange(
      gateways.nginx.port,
      `GET ${path} HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${id}\r\nConnection: close\r\n\r\n`,
    );
    expect(raw).not.toMatch(LEAKS);
    expect(raw).toBe('');
    expect(await logged(gateways.nginx.dir, id)).toMatchObject({ request_id: id, status });
  });

  it('an HTTP/0.9 request (not an HTTP/0.9 answer) still gets the gateway page body', async () => {
    const raw = await rawHttpExchange(gateways.nginx.port, 'GET /api/html\r\n');
    expect(JSON.parse(raw)).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});

describe('HAProxy: the same backend answers', () => {
  it.each([
    ['not HTTP at all', '/api/garbage', 502, 'BAD_GATEWAY'],
    ['a four-digit status', '/api/status-5000', 500, 'INTERNAL'],
  ] as const)('%s: the gateway page', async (_name, path, status, code) => {
    expectFaultlineAnswer(await get('haproxy', path), status, code);
  });
});

describe('nginx (started by root, in a private temp directory): request bodies it must buffer on disk', () => {
  // Larger than client_body_buffer_size (16k): nginx writes the body to tmp/ as its worker user.
  let app: Backend;
  let gateway: Gateway;
  let dir = '';
  beforeAll(async () => {
    app = await startBackend();
    gateway = await startNginx(await freePort(), { upstreams: [`127.0.0.1:${app.port}`], routes: ['/api/'] });
    dir = gateway.dir;
    writeFileSync(join(dir, 'small.json'), JSON.stringify({ data: 'x'.repeat(200_000) }));
    writeFileSync(join(dir, 'large.json'), JSON.stringify({ data: 'x'.repeat(2_000_000) }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await app?.close();
  });
  const post = async (file: string, ...args: string[]) =>
    final(
      await curl([
        ...args,
        '-H',
        'Content-Type: application/json',
        '--data-binary',
        `@${join(dir, file)}`,
        `http://127.0.0.1:${gateway.port}/api/echo`,
      ]),
    );

  it('200 KB under the 1m limit, with a Content-Length or chunked: reaches the backend', async () => {
    for (const args of [[], ['-H', 'Transfer-Encoding: chunked']]) {
      const exchange = await post('small.json', ...args);
      expect(exchange.status).toBe(200);
      expect(JSON.parse(exchange.body)).toEqual({ ok: true });
    }
  });

  it.each([
    ['chunked', ['-H', 'Transfer-Encoding: chunked', '-H', 'Expect:']],
    ['chunked with Expect: 100-continue', ['-H', 'Transfer-Encoding: chunked', '-H', 'Expect: 100-continue']],
  ])('2 MB over the 1m limit, %s: 413 in the same shape', async (_name, args) => {
    const id = expectFaultlineAnswer(await post('large.json', ...args), 413, 'PAYLOAD_TOO_LARGE');
    expect(await logged(dir, id)).toMatchObject({ request_id: id, status: 413 });
  });
});

describe('nginx with format jsonapi: a replaced page has the bare JSON:API type', () => {
  let jsonapi: Gateway;
  beforeAll(async () => {
    jsonapi = await startNginx(await freePort(), {
      upstreams: [`127.0.0.1:${backendPort}`],
      routes: ['/api/'],
      format: 'jsonapi',
    });
  });
  afterAll(async () => {
    await jsonapi?.stop();
  });

  it.each([
    ['HTTP/1.1', '/api/utf8', 500],
    ['HTTP/1.1', '/api/latin1', 503],
    ['HTTP/1.1', '/api/nowhere/../../x', 404],
  ] as const)('%s %s: application/vnd.api+json, no charset', async (_protocol, path, status) => {
    const exchange = await curl(['--path-as-is', `http://127.0.0.1:${jsonapi.port}${path}`]);
    expect(exchange.status).toBe(status);
    expect(headerValues(exchange, 'content-type')).toEqual(['application/vnd.api+json']);
    expect(JSON.parse(exchange.body)).toMatchObject({ errors: [{ status: String(status) }] });
  });
});

describe('option values written into the configuration', () => {
  const base = { upstreams: ['127.0.0.1:3000'] };
  const hostile = ['5" hdr x-evil "1', "5'; return 200 owned; #", '5\n  server evil 10.0.0.1:80', 1.5, 0, Number.NaN];

  it.each(hostile)('Retry-After %j is refused by both generators, naming the value', (value) => {
    const given = value as unknown as number;
    for (const option of ['rateLimitRetryAfter', 'unavailableRetryAfter'] as const) {
      expect(() => renderHaproxy({ ...base, [option]: given })).toThrow(/Retry-After .* is not valid/);
      expect(() => renderNginx({ ...base, [option]: given })).toThrow(/Retry-After .* is not valid/);
    }
  });

  it('a whole Retry-After is written', () => {
    expect(renderHaproxy({ ...base, unavailableRetryAfter: 7 })).toContain('hdr retry-after "7"');
    expect(renderNginx({ ...base, rateLimitRetryAfter: 9 })['faultline-errors.conf']).toContain(
      "add_header retry-after '9' always;",
    );
  });

  it('a route given twice is refused (nginx would stop on "duplicate location")', () => {
    expect(() => renderNginx({ ...base, routes: ['/api/', '/api/'] })).toThrow(/route \(given twice\) "\/api\/"/);
    expect(() => renderHaproxy({ ...base, routes: ['/', '/a/', '/'] })).toThrow(/route \(given twice\) "\/"/);
  });
});
