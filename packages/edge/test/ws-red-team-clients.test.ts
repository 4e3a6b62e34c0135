/**
 * Hostile WebSocket clients through both gateways, on the plain (internal) and the TLS 1.3
 * (public) listener, in front of a real `ws` service behind `@faultline/ws` (the gateway as its
 * trusted proxy): handshake variants are tunnelled or answered with a Faultline page (never a
 * backend's own text), a hostile `X-Request-ID` is replaced and the 101's id is the adapter's,
 * bytes sent before the 101 and a half-close end the connection cleanly; after each case the
 * gateway answers the next request. Over HTTP/2 (RFC 8441, HAProxy only) the id reaches the
 * adapter too.
 */
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, LEAKS, logged, UUID_V4, V4_ID } from './answers.js';
import { type Gateway, parseExchange, startHaproxy, startNginx } from './gateway.js';
import { nextMessage, openWs, startWsBackend, type WsBackend } from './nginx-ws-backend.js';
import {
  acceptOf,
  exchange,
  extendedConnect,
  KEY,
  makeCertificate,
  nextStatusLine,
  type TestCertificate,
} from './ws-red-team-helpers.js';

type Name = 'nginx' | 'haproxy';

let ws: WsBackend;
let cert: TestCertificate;
const gateways = {} as Record<Name, Gateway & { plain: number }>;

beforeAll(async () => {
  ws = await startWsBackend();
  cert = makeCertificate();
  const base = { upstreams: [`127.0.0.1:${ws.port}`], routes: ['/api/'] };
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()] as [
    number,
    number,
    number,
    number,
  ];
  const nginx = await startNginx(ports[0], {
    ...base,
    internalListen: [`127.0.0.1:${ports[1]}`],
    tls: { certificate: cert.certificate, key: cert.key },
  });
  const haproxy = await startHaproxy(ports[2], {
    ...base,
    internalListen: [`127.0.0.1:${ports[3]}`],
    tls: { certificate: cert.pem },
  });
  gateways.nginx = { ...nginx, plain: ports[1] };
  gateways.haproxy = { ...haproxy, plain: ports[3] };
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await ws?.stop();
});

const VERSION = 'Sec-WebSocket-Version: 13\r\n';
const WITH_KEY = `Sec-WebSocket-Key: ${KEY}\r\n`;

/**
 * Handshake variants: the request, and what each gateway answers (101: tunnelled; a status: a
 * Faultline page with that status and code; `builtin`: HAProxy's parser's own 400).
 */
const VARIANTS: readonly [string, string, Record<Name, number | 'builtin'>, string][] = [
  [
    'Connection: keep-alive, Upgrade',
    `GET /api/ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n${VERSION}${WITH_KEY}`,
    { nginx: 101, haproxy: 101 },
    '',
  ],
  [
    'two Upgrade: websocket headers',
    `GET /api/ws HTTP/1.1\r\nUpgrade: websocket\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${VERSION}${WITH_KEY}`,
    { nginx: 101, haproxy: 400 },
    'VALIDATION_FAILED',
  ],
  [
    'Upgrade: h2c then Upgrade: websocket',
    `GET /api/ws HTTP/1.1\r\nUpgrade: h2c\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${VERSION}${WITH_KEY}`,
    { nginx: 426, haproxy: 400 },
    'VALIDATION_FAILED',
  ],
  [
    'Sec-WebSocket-Version: 8 (which ws grants)',
    `GET /api/ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n${WITH_KEY}`,
    { nginx: 426, haproxy: 502 },
    '',
  ],
  [
    'a key of the wrong length',
    `GET /api/ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${VERSION}Sec-WebSocket-Key: c2hvcnQ=\r\n`,
    { nginx: 426, haproxy: 'builtin' },
    'VALIDATION_FAILED',
  ],
  [
    'a POST with Upgrade',
    `POST /api/ws HTTP/1.1\r\nContent-Length: 0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${VERSION}${WITH_KEY}`,
    { nginx: 426, haproxy: 405 },
    '',
  ],
  [
    'HTTP/1.0 with Upgrade (which ws grants)',
    `GET /api/ws HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${VERSION}${WITH_KEY}`,
    { nginx: 426, haproxy: 502 },
    '',
  ],
];

const CODES: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  405: 'METHOD_NOT_ALLOWED',
  426: 'VALIDATION_FAILED',
  502: 'BAD_GATEWAY',
};

describe.each([
  ['plain', false],
  ['TLS', true],
] as const)('hostile WebSocket clients (%s listener)', (_listener, tls) => {
  const port = (name: Name) => (tls ? gateways[name].port : gateways[name].plain);
  const ca = () => (tls ? cert.ca : undefined);

  describe.each(['nginx', 'haproxy'] as const)('%s', (name) => {
    it.each(VARIANTS)(
      '%s: tunnelled or a Faultline page, then the next request is answered',
      async (label, head, expected) => {
        const probe = `${name}-${tls}-${label}`;
        const request = `${head}Host: a\r\nX-Probe: ${probe}\r\n\r\n`;
        const { text } = await exchange(port(name), request, { ca: ca(), upgraded: true });
        const answer = parseExchange(text);
        const want = expected[name];
        if (want === 101) {
          expect(text.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
          expect(answer.headers).toContainEqual(['sec-websocket-accept', acceptOf(KEY)]);
          const id = answer.headers.find(([n]) => n === 'x-request-id')?.[1];
          expect(id).toMatch(UUID_V4);
          expect(ws.ids.get(probe)).toBe(id);
        } else if (want === 'builtin') {
          expect(answer.status).toBe(400);
          expect(text).toContain('Your browser sent an invalid request.');
          expect(text).not.toMatch(LEAKS);
        } else {
          expectFaultlineAnswer(answer, want, CODES[want] as string);
        }
        expect(await nextStatusLine(port(name), '/api/next', ca())).toMatch(/^HTTP\/1\.1 426 /);
      },
    );

    it.each([
      ['a JSON injection', 'x"},{"injected":"1'],
      ['a v1 UUID', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'],
      ['two valid ids', `${V4_ID}\r\nX-Request-ID: ${crypto.randomUUID()}`],
      ['its own id as x_request_id', `${V4_ID}\r\nX_Request_ID: evil`],
    ])('an X-Request-ID that is %s: the 101 and the adapter carry a new v4', async (_what, value) => {
      const probe = `${name}-${tls}-id-${value.length}`;
      const request = `GET /api/ws HTTP/1.1\r\nHost: a\r\nX-Probe: ${probe}\r\nX-Request-ID: ${value}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${VERSION}${WITH_KEY}\r\n`;
      const answer = parseExchange((await exchange(port(name), request, { ca: ca(), upgraded: true })).text);
      const ids = answer.headers.filter(([n]) => n === 'x-request-id').map(([, v]) => v);
      if (value.startsWith(V4_ID) && value.includes('X_Request_ID')) expect(ids).toEqual([V4_ID]);
      else {
        expect(ids).toHaveLength(1);
        expect(ids[0]).toMatch(UUID_V4);
        expect(value).not.toContain(ids[0]);
      }
      expect(ws.ids.get(probe)).toBe(ids[0]);
    });

    it('bytes sent after the handshake, before the 101: the 101, then the service closes (1002); next request answered', async () => {
      const request = `GET /api/ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${VERSION}${WITH_KEY}\r\nGARBAGE\x00\xff\r\n\r\nGET /admin HTTP/1.1\r\n\r\n`;
      const { text, closed } = await exchange(port(name), request, { ca: ca() });
      expect(closed).toBe(true);
      expect(text.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
      // A close frame (0x88), code 1002 (protocol error): the bytes went to the service, as frames.
      expect(text.slice(text.indexOf('\r\n\r\n') + 4).slice(0, 4)).toBe('\x88\x02\x03\xea');
      expect(await nextStatusLine(port(name), '/api/next', ca())).toMatch(/^HTTP\/1\.1 426 /);
    });

    it('a client that half-closes after the 101: the first message arrives, the tunnel ends', async () => {
      const probe = `${name}-${tls}-half`;
      const text = await halfClose(port(name), ca(), probe, 'after');
      expectTunnelled(text);
      expect(await ws.serverClosed(probe)).toBeGreaterThan(0);
      expect(await nextStatusLine(port(name), '/api/next', ca())).toMatch(/^HTTP\/1\.1 426 /);
    });

    it('a client that half-closes right after its handshake: HAProxy still tunnels, nginx closes (client gone, 499)', async () => {
      const id = crypto.randomUUID();
      const text = await halfClose(port(name), ca(), `${name}-${tls}-half-early`, 'before', id);
      if (name === 'haproxy') expectTunnelled(text);
      else {
        expect(text).toBe('');
        expect(await logged(gateways.nginx.dir, id)).toMatchObject({ request_id: id, status: 499 });
      }
      expect(await nextStatusLine(port(name), '/api/next', ca())).toMatch(/^HTTP\/1\.1 426 /);
    });
  });
});

/** `text` is a 101, then the service's first message (an unmasked text frame, `welcome`), nothing after. */
function expectTunnelled(text: string): void {
  const end = text.indexOf('\r\n\r\n');
  expect(text.slice(0, text.indexOf('\r\n'))).toBe('HTTP/1.1 101 Switching Protocols');
  expect(text.slice(end + 4)).toBe('\x81\x07welcome');
}

/**
 * Opens `/api/greet` (the service sends `welcome` first) and half-closes the connection (`end`)
 * right after the handshake (`before`) or once `welcome` arrived (`after`), with the id `id`;
 * resolves with all that came back once the gateway closed.
 */
function halfClose(
  port: number,
  ca: string | undefined,
  probe: string,
  when: 'before' | 'after',
  id = crypto.randomUUID(),
): Promise<string> {
  const request = `GET /api/greet HTTP/1.1\r\nHost: a\r\nX-Probe: ${probe}\r\nX-Request-ID: ${id}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${VERSION}${WITH_KEY}\r\n`;
  return new Promise((resolve) => {
    const ready = () => (when === 'before' ? socket.end(request) : socket.write(request));
    const socket =
      ca === undefined
        ? tcpConnect(port, '127.0.0.1', ready)
        : tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] }, ready);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (when === 'after' && text.endsWith('welcome')) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

describe("the gateway's id reaches @faultline/ws over TLS", () => {
  it.each(['nginx', 'haproxy'] as const)(
    "%s: a wss client (HTTP/1.1) gets its tunnel; the 101 id is the adapter's",
    async (name) => {
      const handshake = await openWs(`wss://127.0.0.1:${gateways[name].port}/api/ws`, {
        ca: cert.ca,
        headers: { 'X-Probe': `${name}-wss` },
      });
      if (!('socket' in handshake)) throw new Error(`refused ${handshake.status}`);
      try {
        expect(handshake.headers['x-request-id']).toMatch(UUID_V4);
        expect(ws.ids.get(`${name}-wss`)).toBe(handshake.headers['x-request-id']);
        handshake.socket.send('over tls');
        expect(String((await nextMessage(handshake.socket)).data)).toBe('over tls');
      } finally {
        handshake.socket.close();
      }
    },
  );

  it("HAProxy: an HTTP/2 handshake (RFC 8441) is a 200 whose id is the adapter's", async () => {
    const answer = await extendedConnect(gateways.haproxy.port, '/api/ws', cert.ca, {
      headers: { 'x-probe': 'h2' },
      untilResponse: true,
    });
    expect(answer?.headers[':status']).toBe(200);
    expect(answer?.headers['x-request-id']).toMatch(UUID_V4);
    expect(ws.ids.get('h2')).toBe(answer?.headers['x-request-id']);
  });
});
