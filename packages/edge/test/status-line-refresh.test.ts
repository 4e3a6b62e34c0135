/**
 * Both gateways in front of a raw HTTP/1.1 backend: a `Refresh` header (which browsers follow as
 * a redirect) whose URL names an internal host becomes the path on the client's host, in every
 * form a browser reads (`url=` or not, quoted or not, `;` or `,`); a public or relative one passes.
 * And the reason phrase a backend writes on a 200: HAProxy writes the standard one.
 */
import type { Socket } from 'node:net';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, headerValues, rawExchange, startHaproxy, startNginx } from './gateway.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

/** Backend routes: path -> [status line, Refresh value]. */
const ROUTES: Record<string, readonly [string, string]> = {
  '/api/refresh-svc': ['200 OK', '0; url=http://orders-svc:3000/api/x'],
  '/api/refresh-quoted': ['200 OK', "5;URL='http://10.0.0.5:8080/api/login?next=%2F'"],
  '/api/refresh-bare': ['200 OK', '0, http://api.internal/api/y'],
  '/api/refresh-network-path': ['200 OK', '1; url="//db-1.svc.cluster.local/api/z"'],
  '/api/refresh-error': ['503 Service Unavailable', '2; url=http://localhost:3000/api/retry'],
  '/api/refresh-public': ['200 OK', '0; url=https://login.example.com/authorize?x=1'],
  '/api/refresh-relative': ['200 OK', '0; url=/api/next'],
  '/api/refresh-lookalike': ['200 OK', '0; url=http://10.0.0.5.example.com/api/g'],
  '/api/reason-200': ['200 OK from orders-svc v1.2.3', ''],
};

let backend: RawBackend | undefined;
const gateways = {} as Record<'nginx' | 'haproxy', Gateway>;

beforeAll(async () => {
  backend = await startRawBackend((head: string, socket: Socket) => {
    const [statusLine, refresh] = ROUTES[head.split(' ')[1] ?? ''] ?? ['404 Not Found', ''];
    const body = statusLine.startsWith('503')
      ? '{"error":"down"}' // JSON: a foreign 5xx is replaced, its Refresh gone with it
      : '{}';
    socket.end(
      `HTTP/1.1 ${statusLine}\r\ncontent-type: application/json\r\n${refresh === '' ? '' : `refresh: ${refresh}\r\n`}content-length: ${body.length}\r\n\r\n${body}`,
    );
  });
  const options = { upstreams: [`127.0.0.1:${backend.port}`], routes: ['/api/'] };
  gateways.nginx = await startNginx(await freePort(), options);
  gateways.haproxy = await startHaproxy(await freePort(), options);
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await backend?.stop();
});

const send = (name: 'nginx' | 'haproxy', path: string) =>
  rawExchange(gateways[name].port, `GET ${path} HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n`);

describe.each(['nginx', 'haproxy'] as const)('%s: a Refresh header', (name) => {
  it.each([
    ['/api/refresh-svc', '0; url=/api/x'],
    ['/api/refresh-quoted', "5;URL='/api/login?next=%2F'"],
    ['/api/refresh-bare', '0, /api/y'],
    ['/api/refresh-network-path', '1; url="/api/z"'],
  ])('%s: a URL on an internal host becomes its path (%s)', async (path, refresh) => {
    const exchange = await send(name, path);
    expect(exchange.status).toBe(200);
    expect(headerValues(exchange, 'refresh')).toEqual([refresh]);
    expect(exchange.raw).not.toMatch(/orders-svc|10\.0\.0\.5|internal|cluster\.local/);
  });

  it.each([
    ['/api/refresh-public', '0; url=https://login.example.com/authorize?x=1'],
    ['/api/refresh-relative', '0; url=/api/next'],
    ['/api/refresh-lookalike', '0; url=http://10.0.0.5.example.com/api/g'],
  ])('%s: a public or relative URL is kept (%s)', async (path, refresh) => {
    expect(headerValues(await send(name, path), 'refresh')).toEqual([refresh]);
  });

  it('a replaced foreign 5xx carries no Refresh at all', async () => {
    const exchange = await send(name, '/api/refresh-error');
    expect(exchange.status).toBe(503);
    expect(headerValues(exchange, 'refresh')).toEqual([]);
    expect(exchange.raw).not.toMatch(/localhost/);
  });
});

describe('HAProxy: the reason phrase of a success', () => {
  it("a backend's own phrase on a 200 is replaced by the standard one", async () => {
    const exchange = await send('haproxy', '/api/reason-200');
    expect(exchange.raw.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(exchange.raw).not.toMatch(/orders-svc|1\.2\.3/);
  });
});
