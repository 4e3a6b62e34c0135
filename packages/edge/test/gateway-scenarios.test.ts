/**
 * Gateway scenarios on both gateways in front of a raw HTTP/1.1 backend (a Node TCP server):
 * status codes outside 100-599 with a leaky body, a redirect, `Content-Location` or `Link` naming
 * an internal host, a JSON 401 whose `WWW-Authenticate` quotes SQL and an internal realm, and an
 * error answer in the application's type that carries another request id (its body's
 * `request_id` would contradict the gateway's header).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, LEAKS, logged } from './answers.js';
import { type Gateway, headerValues, idle, rawExchange, startHaproxy, startNginx } from './gateway.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

const STACK = '<pre>TypeError at Orders.insert (/srv/app/orders.js:27:3)</pre>';
/** An id the backend made itself (not the request's). */
const OTHER_ID = '11111111-1111-4111-8111-111111111111';

/** A status line with a leaky HTML body. */
const leaky = (statusLine: string) =>
  `HTTP/1.1 ${statusLine}\r\ncontent-type: text/html\r\ncontent-length: ${STACK.length}\r\n\r\n${STACK}`;

/** A problem+json answer with `status`, carrying `id` in its header and its body. */
function problem(status: number, code: string, id: string): string {
  const body = `{"type":"about:blank","title":"T","status":${status},"detail":"d","code":"${code}","request_id":"${id}"}`;
  return `HTTP/1.1 ${status} X\r\ncontent-type: application/problem+json; charset=utf-8\r\nx-request-id: ${id}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
}

/** The request's own id, as the backend received it. */
const idOf = (head: string) => /x-request-id: ([^\r]*)/i.exec(head)?.[1] ?? '';

/** A JSON 401 in the application's shape with the request's id and the challenge `challenge`. */
function unauthenticated(head: string, challenge: string): string {
  const id = idOf(head);
  const body = `{"status":401,"code":"UNAUTHENTICATED","request_id":"${id}"}`;
  return `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/problem+json; charset=utf-8\r\nx-request-id: ${id}\r\nwww-authenticate: ${challenge}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
}

/** A redirect to `location`. */
const redirect = (location: string) => `HTTP/1.1 302 Found\r\nlocation: ${location}\r\ncontent-length: 0\r\n\r\n`;

const ROUTES: Record<string, (head: string) => string> = {
  '/api/status-000': () => leaky('000 Oops'),
  '/api/status-099': () => leaky('099 Oops'),
  '/api/status-600': () => leaky('600 Oops'),
  '/api/status-999': () => leaky('999 Oops'),
  '/api/other-id-404': () => problem(404, 'NOT_FOUND', OTHER_ID),
  '/api/other-id-409': () => problem(409, 'CONFLICT', OTHER_ID),
  '/api/own-id-409': (head) => problem(409, 'CONFLICT', /x-request-id: ([^\r]*)/i.exec(head)?.[1] ?? ''),
  '/api/r-10': () => redirect('http://10.0.0.5:8080/api/login?next=%2Fx'),
  '/api/r-172': () => redirect('https://172.20.1.9/api/a'),
  '/api/r-192': () => redirect('http://192.168.1.7'),
  '/api/r-loopback': () => redirect('http://127.0.0.1:3000/api/b#top'),
  '/api/r-localhost': () => redirect('HTTP://LOCALHOST:3000?q=1'),
  '/api/r-v6': () => redirect('http://[fd00::5]:8080/api/c'),
  '/api/r-v6-loopback': () => redirect('http://[::1]/api/d'),
  '/api/r-userinfo': () => redirect('http://admin@10.1.2.3//evil.example/x'),
  '/api/r-external': () => redirect('https://login.example.com/authorize?x=1'),
  '/api/r-relative': () => redirect('/api/f'),
  '/api/r-lookalike': () => redirect('http://10.0.0.5.example.com/api/g'),
  '/api/r-internal-name': () => redirect('http://api.internal:8080/x?y=1'),
  '/api/r-cluster': () => redirect('http://db-1.svc.cluster.local/api/h'),
  '/api/r-single-label': () => redirect('https://backend/api/i'),
  '/api/r-public-ip': () => redirect('http://203.0.113.7/api/j'),
  '/api/r-network-path': () => redirect('//orders-svc:3000/api/m'),
  '/api/r-name-lookalike': () => redirect('https://localhost.example.com/api/k'),
  '/api/links': () =>
    'HTTP/1.1 200 OK\r\ncontent-location: http://api.internal:8080/api/l\r\nlink: <http://a.internal/api/a>; rel=next, <https://cdn.example.com/y>; rel=preload\r\nlink: <http://localhost:3000/api/z>; rel=prev\r\ncontent-length: 0\r\n\r\n',
  '/api/json-401': (head) =>
    unauthenticated(
      head,
      'Bearer realm="db-primary.internal", error="invalid_token", error_description="SELECT * FROM users WHERE id = 1"',
    ),
  '/api/json-401-realm': (head) =>
    unauthenticated(
      head,
      'Bearer realm="api", error_description="x, error=db-1.internal", error=insufficient_scope, scope="orders:write"',
    ),
  '/api/json-401-garbled': (head) => unauthenticated(head, '"Bearer" realm=x'),
  '/api/json-409-reason': () =>
    'HTTP/1.1 409 db-primary conflict at 10.0.0.5\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}',
};

let backend: RawBackend | undefined;
const gateways = {} as Record<'nginx' | 'haproxy', Gateway>;

beforeAll(async () => {
  backend = await startRawBackend((head: string, socket: Socket) => {
    const path = head.split(' ')[1] ?? '';
    const route = ROUTES[path];
    socket.end(route === undefined ? 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n' : route(head));
  });
  // headerTimeout 2 s (10 s by default): the slow clients below wait it out.
  const options = { upstreams: [`127.0.0.1:${backend.port}`], routes: ['/api/'], headerTimeout: 2 };
  gateways.nginx = await startNginx(await freePort(), options);
  gateways.haproxy = await startHaproxy(await freePort(), options);
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await backend?.stop();
});

const send = (name: 'nginx' | 'haproxy', path: string, id = randomUUID()) =>
  rawExchange(
    gateways[name].port,
    `GET ${path} HTTP/1.1\r\nHost: api.example.com\r\nX-Request-ID: ${id}\r\nConnection: close\r\n\r\n`,
  );

describe.each(['nginx', 'haproxy'] as const)('%s: a backend status outside 100-599', (name) => {
  it.each(['000', '099', '600', '999'])(
    '%s with a leaky body: never relayed (the 500 page, or nothing and a closed connection); logged',
    async (status) => {
      const id = randomUUID();
      const exchange = await send(name, `/api/status-${status}`, id);
      expect(exchange.raw).not.toMatch(LEAKS);
      expect(exchange.raw).not.toContain(` ${status} `);
      if (exchange.raw !== '') expect(expectFaultlineAnswer(exchange, 500, 'INTERNAL')).toBe(id);
      expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id });
    },
  );
});

describe.each(['nginx', 'haproxy'] as const)('%s: an error in the application type with another id', (name) => {
  it.each([
    ['/api/other-id-404', 404, 'NOT_FOUND'],
    ['/api/other-id-409', 409, 'CONFLICT'],
  ] as const)('%s: the page for %i, one id (header = body = access log)', async (path, status, code) => {
    const id = randomUUID();
    const exchange = await send(name, path, id);
    expect(exchange.raw).not.toContain(OTHER_ID);
    expect(expectFaultlineAnswer(exchange, status, code)).toBe(id);
    expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id, status });
  });

  it("the application's own 409 with this id passes as it came", async () => {
    const id = randomUUID();
    const exchange = await send(name, '/api/own-id-409', id);
    expect(exchange.status).toBe(409);
    expect(JSON.parse(exchange.body)).toMatchObject({ detail: 'd', request_id: id });
  });
});

describe.each(['nginx', 'haproxy'] as const)('%s with passForeign4xx: another id is still replaced', (name) => {
  let pass: Gateway | undefined;
  beforeAll(async () => {
    const options = { upstreams: [`127.0.0.1:${backend?.port}`], routes: ['/api/'], passForeign4xx: true };
    pass =
      name === 'nginx' ? await startNginx(await freePort(), options) : await startHaproxy(await freePort(), options);
  });
  afterAll(async () => {
    await pass?.stop();
  });

  it('a 409 in the application type with its own id: the page for 409 with this id', async () => {
    const id = randomUUID();
    const exchange = await rawExchange(
      (pass as Gateway).port,
      `GET /api/other-id-409 HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${id}\r\nConnection: close\r\n\r\n`,
    );
    expect(expectFaultlineAnswer(exchange, 409, 'CONFLICT')).toBe(id);
  });
});

describe.each(['nginx', 'haproxy'] as const)('%s: a redirect that names an internal host', (name) => {
  it.each([
    ['/api/r-10', '/api/login?next=%2Fx'],
    ['/api/r-172', '/api/a'],
    ['/api/r-192', '/'],
    ['/api/r-loopback', '/api/b#top'],
    ['/api/r-localhost', '/?q=1'],
    ['/api/r-v6', '/api/c'],
    ['/api/r-v6-loopback', '/api/d'],
    ['/api/r-userinfo', '/evil.example/x'],
  ])('%s: Location becomes the path on the public host (%s)', async (path, location) => {
    const exchange = await send(name, path);
    expect(exchange.status).toBe(302);
    expect(headerValues(exchange, 'location')).toEqual([location]);
  });

  it.each([
    ['/api/r-external', 'https://login.example.com/authorize?x=1'],
    ['/api/r-relative', '/api/f'],
    ['/api/r-lookalike', 'http://10.0.0.5.example.com/api/g'],
    ['/api/r-name-lookalike', 'https://localhost.example.com/api/k'],
  ])('%s: a public or relative Location is kept (%s)', async (path, location) => {
    const exchange = await send(name, path);
    expect(headerValues(exchange, 'location')).toEqual([location]);
  });
});

describe.each(['nginx', 'haproxy'] as const)('%s: links and challenges that name internal hosts', (name) => {
  it.each([
    ['/api/r-internal-name', '/x?y=1'],
    ['/api/r-cluster', '/api/h'],
    ['/api/r-single-label', '/api/i'],
    ['/api/r-public-ip', '/api/j'],
    ['/api/r-network-path', '/api/m'],
  ])('%s: a Location on an internal name or an IP literal becomes its path (%s)', async (path, location) => {
    expect(headerValues(await send(name, path), 'location')).toEqual([location]);
  });

  it('Content-Location and each Link entry on an internal host become paths; a public link is kept', async () => {
    const exchange = await send(name, '/api/links');
    expect(exchange.status).toBe(200);
    expect(headerValues(exchange, 'content-location')).toEqual(['/api/l']);
    // nginx (njs) writes the Link headers joined in one, HAProxy as they came.
    const links = headerValues(exchange, 'link').join(',').split(/ *, */);
    expect(links).toEqual(['</api/a>; rel=next', '<https://cdn.example.com/y>; rel=preload', '</api/z>; rel=prev']);
  });

  it.each([
    ['/api/json-401', 'Bearer error="invalid_token"'],
    ['/api/json-401-realm', 'Bearer realm="api", error="insufficient_scope"'],
  ])('%s: a JSON 401 passes with its scheme, a public realm and its error code only', async (path, challenge) => {
    const id = randomUUID();
    const exchange = await send(name, path, id);
    expect(exchange.status).toBe(401);
    expect(JSON.parse(exchange.body)).toMatchObject({ code: 'UNAUTHENTICATED', request_id: id });
    expect(headerValues(exchange, 'www-authenticate')).toEqual([challenge]);
    expect(exchange.raw).not.toMatch(/SELECT|internal|error_description|scope=/);
  });

  it('a challenge without a well-formed scheme is dropped', async () => {
    const exchange = await send(name, '/api/json-401-garbled');
    expect(exchange.status).toBe(401);
    expect(headerValues(exchange, 'www-authenticate')).toEqual([]);
  });
});

describe('HAProxy: the reason phrase of a passing error answer', () => {
  it.each([['/api/json-409-reason', '409 Conflict']])(
    "%s: the backend's phrase is replaced by the standard one (%s)",
    async (path, line) => {
      const exchange = await send('haproxy', path);
      expect(exchange.raw.split('\r\n')[0]).toBe(`HTTP/1.1 ${line}`);
      expect(exchange.raw).not.toMatch(/db-primary|10\.0\.0\.5/);
    },
  );
});

describe('HAProxy: a client that sends nothing, or too slowly', () => {
  // Both wait out HAProxy's `timeout http-request` (headerTimeout: 2 s here), side by side.
  it("closes a connection that sends nothing in silence, as nginx does, and a head cut short gets HAProxy 2.6's built-in 408 (its error pages do not apply), naming nothing", async () => {
    const [silent, cut] = await Promise.all([
      idle(gateways.haproxy.port, '', 6000),
      idle(gateways.haproxy.port, 'GET /api/x HTTP/1.1\r\nHost: a\r\nX-Slow: 1', 6000),
    ]);
    expect(silent.closed).toBe(true);
    expect(silent.text).toBe('');
    expect(cut.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.text).not.toMatch(LEAKS);
    expect(cut.text).not.toMatch(/\r\nserver:/i);
  }, 12_000);
});
