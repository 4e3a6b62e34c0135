/**
 * A hostile backend's 101 through both gateways, on the plain (internal) and the TLS 1.3 (public)
 * listener of one configuration each: a 101 passes only when it grants the client's WebSocket
 * handshake (`Upgrade: websocket` and the `Sec-WebSocket-Accept` of its key). nginx closes the
 * connection with nothing sent; HAProxy answers its 502 page with the id (it relayed a wrong
 * accept, a 101 without `Upgrade` or with `Upgrade: h2c`, and a 101 to an HTTP/1.0 handshake,
 * with the backend's bytes after it). Over HTTP/2 (RFC 8441, HAProxy only) the same. After each
 * case the gateway answers the next request. Real nginx and HAProxy, a raw backend on 127.0.0.1.
 */
import type { Socket } from 'node:net';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, logged } from './answers.js';
import { type Gateway, parseExchange, startHaproxy, startNginx } from './gateway.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';
import {
  acceptOf,
  exchange,
  extendedConnect,
  HANDSHAKE,
  KEY,
  keyOf,
  makeCertificate,
  nextStatusLine,
  type TestCertificate,
} from './ws-red-team-helpers.js';

/** What the raw backend streams after its 101, where a tunnel would carry it. */
const AFTER = '<pre>TypeError at Orders.insert (/srv/app/orders.js:27:3) db-01.internal</pre>';

/** The raw backend's 101 headers for each path, whatever the request asked. */
const SWITCH: Record<string, (head: string) => string> = {
  '/api/granted': (head) =>
    `upgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: ${acceptOf(keyOf(head))}\r\n`,
  '/api/wrong-accept': () => `upgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: ${acceptOf('x')}\r\n`,
  '/api/no-upgrade': (head) => `connection: upgrade\r\nsec-websocket-accept: ${acceptOf(keyOf(head))}\r\n`,
  '/api/h2c': (head) => `upgrade: h2c\r\nconnection: upgrade\r\nsec-websocket-accept: ${acceptOf(keyOf(head))}\r\n`,
};

let raw: RawBackend;
let cert: TestCertificate;
const gateways = {} as Record<'nginx' | 'haproxy', Gateway & { plain: number }>;

beforeAll(async () => {
  raw = await startRawBackend((head: string, socket: Socket) => {
    const path = head.split(' ')[1] ?? '';
    if (path === '/api/next') return void socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    socket.end(`HTTP/1.1 101 Switching Protocols\r\n${(SWITCH[path] ?? (() => ''))(head)}\r\n${AFTER}`);
  });
  cert = makeCertificate();
  const base = { upstreams: [`127.0.0.1:${raw.port}`], routes: ['/api/'] };
  const [nginxPort, nginxPlain, haproxyPort, haproxyPlain] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ] as number[];
  const nginx = await startNginx(nginxPort as number, {
    ...base,
    internalListen: [`127.0.0.1:${nginxPlain}`],
    tls: { certificate: cert.certificate, key: cert.key },
  });
  const haproxy = await startHaproxy(haproxyPort as number, {
    ...base,
    internalListen: [`127.0.0.1:${haproxyPlain}`],
    tls: { certificate: cert.pem },
  });
  gateways.nginx = { ...nginx, plain: nginxPlain as number };
  gateways.haproxy = { ...haproxy, plain: haproxyPlain as number };
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await raw?.stop();
});

const REFUSED: readonly [string, string, string][] = [
  ['a wrong Sec-WebSocket-Accept', '/api/wrong-accept', `GET /api/wrong-accept HTTP/1.1\r\n${HANDSHAKE}`],
  ['no Upgrade', '/api/no-upgrade', `GET /api/no-upgrade HTTP/1.1\r\n${HANDSHAKE}`],
  ['Upgrade: h2c', '/api/h2c', `GET /api/h2c HTTP/1.1\r\n${HANDSHAKE}`],
  ['the right accept to an HTTP/1.0 handshake', '/api/granted', `GET /api/granted HTTP/1.0\r\n${HANDSHAKE}`],
  ['the right accept to a request that asked no upgrade', '/api/granted', 'GET /api/granted HTTP/1.1\r\n'],
];

describe.each([
  ['plain', false],
  ['TLS', true],
] as const)('a 101 that does not grant the handshake (%s listener)', (_listener, tls) => {
  const port = (name: 'nginx' | 'haproxy') => (tls ? gateways[name].port : gateways[name].plain);
  const ca = () => (tls ? cert.ca : undefined);

  it.each(REFUSED)(
    '%s: HAProxy answers its 502 page with the id, nothing of the backend; logged',
    async (_n, _p, line) => {
      const id = crypto.randomUUID();
      const { text } = await exchange(port('haproxy'), `${line}Host: a\r\nX-Request-ID: ${id}\r\n\r\n`, { ca: ca() });
      expect(text).not.toContain('TypeError');
      expect(expectFaultlineAnswer(parseExchange(text), 502, 'BAD_GATEWAY')).toBe(id);
      expect(await logged(gateways.haproxy.dir, id)).toMatchObject({ request_id: id, status: 502 });
      expect(await nextStatusLine(port('haproxy'), '/api/next', ca())).toBe('HTTP/1.1 200 OK');
    },
  );

  it.each(REFUSED)('%s: nginx closes the connection, nothing sent; logged', async (_n, _p, line) => {
    const id = crypto.randomUUID();
    const { text, closed } = await exchange(port('nginx'), `${line}Host: a\r\nX-Request-ID: ${id}\r\n\r\n`, {
      ca: ca(),
    });
    expect({ text, closed }).toEqual({ text: '', closed: true });
    expect(await logged(gateways.nginx.dir, id)).toMatchObject({ request_id: id });
    expect(await nextStatusLine(port('nginx'), '/api/next', ca())).toBe('HTTP/1.1 200 OK');
  });

  it.each(['nginx', 'haproxy'] as const)(
    '%s: the 101 that grants it passes, with the id and the tunnel',
    async (name) => {
      const id = crypto.randomUUID();
      const { text } = await exchange(
        port(name),
        `GET /api/granted HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${id}\r\n${HANDSHAKE}\r\n`,
        {
          ca: ca(),
        },
      );
      const answer = parseExchange(text);
      expect(answer.raw.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
      expect(answer.headers).toContainEqual(['x-request-id', id]);
      expect(answer.headers).toContainEqual(['sec-websocket-accept', acceptOf(KEY)]);
      expect(answer.body).toBe(AFTER);
    },
  );
});

describe('a WebSocket handshake over HTTP/2 (RFC 8441)', () => {
  it('nginx 1.22 does not offer it (no SETTINGS_ENABLE_CONNECT_PROTOCOL)', async () => {
    expect(await extendedConnect(gateways.nginx.port, '/api/granted', cert.ca)).toBeUndefined();
  });

  it('HAProxy: a 101 granting the key HAProxy sent upstream is a 200 with the tunnel and the id', async () => {
    const answer = await extendedConnect(gateways.haproxy.port, '/api/granted', cert.ca);
    expect(answer?.headers[':status']).toBe(200);
    expect(String(answer?.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer?.body).toBe(AFTER);
  });

  it('HAProxy: a client sending its own Sec-WebSocket-Key (which HAProxy forwards unchecked) gets the 502 page', async () => {
    const answer = await extendedConnect(gateways.haproxy.port, '/api/wrong-accept', cert.ca, {
      headers: { 'sec-websocket-key': KEY },
    });
    expect(answer?.headers[':status']).toBe(502);
    expect(answer?.body).not.toContain('TypeError');
  });

  it.each(['/api/wrong-accept', '/api/no-upgrade', '/api/h2c'])(
    'HAProxy: a 101 from %s is its 502 page with the id, nothing of the backend',
    async (path) => {
      const answer = await extendedConnect(gateways.haproxy.port, path, cert.ca);
      expect(answer?.headers[':status']).toBe(502);
      expect(answer?.body).not.toContain('TypeError');
      const body = JSON.parse(String(answer?.body));
      expect(body).toMatchObject({ status: 502, code: 'BAD_GATEWAY', request_id: answer?.headers['x-request-id'] });
      expect(await nextStatusLine(gateways.haproxy.port, '/api/next', cert.ca)).toBe('HTTP/1.1 200 OK');
    },
  );
});
