/**
 * A red-team pass on both gateways in front of a raw HTTP/1.1 backend (a Node TCP server): headers
 * that name the backend's product, version or internals on any answer, TRACE (which a backend may
 * answer by echoing the request's cookies and credentials), and HAProxy's access log holding
 * nothing but JSON lines (HAProxy's own messages, a failed TLS handshake).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, makeDrainCertificates } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectFaultlineAnswer, logged } from './answers.js';
import { curl, type Gateway, headerValues, rawExchange, startHaproxy, startNginx } from './gateway.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

/** Headers that name the backend's product, its version or its internals. */
const LEAKY_HEADERS = [
  'x-aspnet-version: 4.0.30319',
  'x-aspnetmvc-version: 5.2',
  'x-sourcefiles: =?UTF-8?B?QzpcaW5ldHB1Ylx3d3dyb290?=',
  'x-runtime: 0.123456',
  'x-generator: Drupal 9',
  'x-debug-token: 4f2a1b',
  'x-debug-token-link: http://10.0.0.5:8080/_profiler/4f2a1b',
];

// The 4xx is JSON: a 4xx that is not is replaced by the gateway's page (its headers dropped anyway).
const leaky = (status: string, type = 'text/plain', body = 'ok') =>
  `HTTP/1.1 ${status}\r\ncontent-type: ${type}\r\n${LEAKY_HEADERS.map((h) => `${h}\r\n`).join('')}content-length: ${body.length}\r\n\r\n${body}`;

/**
 * A stack page after a 101 the gateway never asked for: it forwards an upgrade only for a WebSocket
 * handshake (key and version too), and lets a 101 through only when it grants that handshake.
 */
const STACK = '<pre>TypeError at Orders.insert (/srv/app/orders.js:27:3)</pre>';

const ROUTES: Record<string, (socket: Socket) => void> = {
  '/api/switch': (socket) => socket.end(`HTTP/1.1 101 Switching Protocols\r\ncontent-type: text/html\r\n\r\n${STACK}`),
  '/api/switch-upgrade': (socket) =>
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n${STACK}`),
  '/api/leaky-200': (socket) => socket.end(leaky('200 OK')),
  '/api/leaky-404': (socket) => socket.end(leaky('404 Not Found', 'application/json', '{}')),
};

/** Every request head the raw backend received. */
const heads: string[] = [];
/** Answers one request head: TRACE echoed (cookies included), else the route's answer. */
function answer(head: string, socket: Socket): void {
  heads.push(head);
  const [method = '', path = ''] = head.split(' ');
  // A backend that implements TRACE: it echoes the request, cookies included.
  if (method === 'TRACE') {
    socket.end(`HTTP/1.1 200 OK\r\ncontent-type: message/http\r\ncontent-length: ${head.length}\r\n\r\n${head}`);
    return;
  }
  (ROUTES[path] ?? ((s: Socket) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')))(socket);
}
let backend: RawBackend | undefined;

const gateways = {} as Record<'nginx' | 'haproxy', Gateway>;
let certDir = '';

beforeAll(async () => {
  backend = await startRawBackend(answer);
  const port = backend.port;
  certDir = makeDrainCertificates().dir;
  const pem = join(certDir, 'server-bundle.pem');
  writeFileSync(
    pem,
    `${readFileSync(join(certDir, 'server.crt'), 'utf8')}${readFileSync(join(certDir, 'server.key'), 'utf8')}`,
  );
  const options = { upstreams: [`127.0.0.1:${port}`], routes: ['/api/'] };
  gateways.nginx = await startNginx(await freePort(), options);
  gateways.haproxy = await startHaproxy(await freePort(), { ...options, tls: { certificate: pem } });
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await backend?.stop();
});

/** Plain HTTP/1.1 to nginx; HTTP/1.1 over TLS to HAProxy (its only listener here). */
const get = (name: 'nginx' | 'haproxy', path: string, ...args: string[]) =>
  name === 'nginx'
    ? curl([...args, `http://127.0.0.1:${gateways.nginx.port}${path}`])
    : curl(['--cacert', join(certDir, 'ca.crt'), ...args, `https://127.0.0.1:${gateways.haproxy.port}${path}`]);

describe.each(['nginx', 'haproxy'] as const)("%s: the backend's product, version and internals", (name) => {
  it.each(['/api/leaky-200', '/api/leaky-404'])(
    '%s: X-AspNet-Version, X-Runtime, X-Debug-* and the like never reach the client',
    async (path) => {
      const exchange = await get(name, path);
      expect([200, 404]).toContain(exchange.status);
      for (const line of LEAKY_HEADERS) expect(headerValues(exchange, line.slice(0, line.indexOf(':')))).toEqual([]);
      expect(exchange.raw).not.toMatch(/aspnet|profiler|drupal|10\.0\.0\.5|4\.0\.30319/i);
      expect(exchange.body).toBe(path === '/api/leaky-404' ? '{}' : 'ok');
    },
  );
});

describe.each(['nginx', 'haproxy'] as const)('%s: TRACE', (name) => {
  it('405 in the same shape, with Allow; never reaches the backend (which would echo the cookies)', async () => {
    const marker = randomUUID();
    const exchange = await get(name, '/api/echo', '-X', 'TRACE', '-H', `Cookie: session=${marker}`);
    const id = expectFaultlineAnswer(exchange, 405, 'METHOD_NOT_ALLOWED');
    expect(headerValues(exchange, 'allow')).toEqual(['GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS']);
    expect(exchange.raw).not.toContain(marker);
    expect(heads.some((head) => head.includes(marker))).toBe(false);
    expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id, status: 405, method: 'TRACE' });
  });
});

describe('nginx: a 101 from the backend, which the gateway never asked for (no WebSocket handshake)', () => {
  it.each([
    ['without an upgrade asked by the client', '/api/switch', ''],
    [
      'with Upgrade sent by the client but no WebSocket key or version (nginx would tunnel)',
      '/api/switch-upgrade',
      'Upgrade: websocket\r\nConnection: Upgrade\r\n',
    ],
  ])('%s: nothing is relayed, the connection closes; logged', async (_name, path, lines) => {
    const id = randomUUID();
    const exchange = await rawExchange(
      gateways.nginx.port,
      `GET ${path} HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${id}\r\n${lines}Connection: close\r\n\r\n`,
    );
    expect(exchange.raw).not.toMatch(/srv|TypeError|101/);
    expect(exchange.raw).toBe('');
    expect(await logged(gateways.nginx.dir, id)).toMatchObject({ request_id: id });
  });
});

describe('HAProxy: a 101 from the backend to a request without an upgrade', () => {
  it('the 502 page, nothing of the backend relayed', async () => {
    const exchange = await get('haproxy', '/api/switch');
    const id = expectFaultlineAnswer(exchange, 502, 'BAD_GATEWAY');
    expect(await logged(gateways.haproxy.dir, id)).toMatchObject({ request_id: id, status: 502 });
  });
});

describe('HAProxy: the access log holds JSON lines only', () => {
  it("a failed TLS handshake is a JSON line (status 0), and no line is HAProxy's own message", async () => {
    // No CA given: curl refuses the certificate and closes during the handshake.
    await curl([`https://127.0.0.1:${gateways.haproxy.port}/api/x`]);
    const id = randomUUID();
    await get('haproxy', '/api/x', '-H', `X-Request-ID: ${id}`);
    expect(await logged(gateways.haproxy.dir, id)).toMatchObject({ request_id: id, status: 200 });
    const lines = await eventually(() => {
      const all = readFileSync(join(gateways.haproxy.dir, 'access.log'), 'utf8').split('\n').filter(Boolean);
      return all.some((line) => line.includes('"status":0')) ? all : undefined;
    });
    expect(lines).toBeDefined();
    for (const line of lines ?? []) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it('a backend server going down is not written in the access log (HAProxy writes it to stderr)', async () => {
    const down = await startHaproxy(await freePort(), { upstreams: [`127.0.0.1:${await freePort()}`] });
    try {
      // Once the health check has marked the server down (and said so), the answer is 503.
      let exchange = await curl([`http://127.0.0.1:${down.port}/x`]);
      for (let tries = 0; exchange.status !== 503 && tries < 40; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        exchange = await curl([`http://127.0.0.1:${down.port}/x`]);
      }
      const id = expectFaultlineAnswer(exchange, 503, 'UNAVAILABLE');
      expect(headerValues(exchange, 'retry-after')).toEqual(['5']);
      expect(await logged(down.dir, id)).toMatchObject({ request_id: id, status: 503 });
      const lines = readFileSync(join(down.dir, 'access.log'), 'utf8').split('\n').filter(Boolean);
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    } finally {
      await down.stop();
    }
  });
});

describe.each(['nginx', 'haproxy'] as const)('%s: the access log stays UTF-8 JSON', (name) => {
  it.each(['/api/%ff%c3%28', '/nope/%ff', '/api/%22%0d%0a%7b%22x%22:1%7d'])(
    'a path %s (not UTF-8 once decoded, or quotes and a line break): one line, valid UTF-8 JSON',
    async (path) => {
      const id = randomUUID();
      const request = `GET ${path} HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${id}\r\nConnection: close\r\n\r\n`;
      if (name === 'nginx') await rawExchange(gateways.nginx.port, request);
      else await get('haproxy', path, '--path-as-is', '-H', `X-Request-ID: ${id}`);
      expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id });
      const bytes = readFileSync(join(gateways[name].dir, 'access.log'));
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      const lines = text.split('\n').filter((line) => line.includes(id));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({ request_id: id });
    },
  );
});
