/**
 * Hostile backends answering a WebSocket handshake, through both gateways (plain and TLS 1.3
 * listeners of one configuration each): a refusal with an HTML 500 stack or a text 400 naming its
 * version is replaced by the page of its status; a 101 that closes at once ends the connection; a
 * 200 with a body passes as any 200; a backend that never answers gets the 504 page, after
 * `tunnelTimeout` on nginx (one read timeout per location) and `readTimeout` on HAProxy (its
 * `timeout tunnel` starts with the tunnel); the 101's `Server`, `X-Powered-By`, `Via` and the
 * backend's own `X-Request-ID` are dropped (`Set-Cookie` passes, as on any answer). After each
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
  HANDSHAKE,
  KEY,
  keyOf,
  makeCertificate,
  nextStatusLine,
  type TestCertificate,
} from './ws-red-team-helpers.js';

const STACK = '<html><pre>TypeError: x is undefined\n    at Orders.insert (/srv/app/orders.js:27:3)</pre></html>';
const VERSIONED = 'ws/8.1 refused: missing subprotocol';
const BODY = 'plain body, no tunnel';
const granted = (head: string) =>
  `upgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: ${acceptOf(keyOf(head))}\r\n`;

/** The raw backend's answer to each path (none for `/api/hang`). */
const ANSWERS: Record<string, (head: string) => string> = {
  '/api/html-500': () =>
    `HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: ${STACK.length}\r\n\r\n${STACK}`,
  '/api/text-400': () =>
    `HTTP/1.1 400 Bad Request by ws/8.1\r\nserver: ws/8.1\r\ncontent-type: text/plain\r\ncontent-length: ${VERSIONED.length}\r\n\r\n${VERSIONED}`,
  '/api/close-after': (head) => `HTTP/1.1 101 Switching Protocols\r\n${granted(head)}\r\n`,
  '/api/ok-body': () => `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`,
  '/api/leaky': (head) =>
    `HTTP/1.1 101 Switching Protocols\r\n${granted(head)}server: Node.js/20.11.1\r\nx-powered-by: Express\r\nvia: 1.1 orders-svc.internal\r\nset-cookie: sid=1; HttpOnly\r\nx-request-id: 00000000-0000-4000-8000-000000000000\r\n\r\n`,
  '/api/next': () => 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
};

let raw: RawBackend;
let cert: TestCertificate;
const gateways = {} as Record<'nginx' | 'haproxy', Gateway & { plain: number }>;

beforeAll(async () => {
  raw = await startRawBackend((head: string, socket: Socket) => {
    const answer = ANSWERS[head.split(' ')[1] ?? ''];
    if (answer !== undefined) socket.end(answer(head));
  });
  cert = makeCertificate();
  const base = { upstreams: [`127.0.0.1:${raw.port}`], routes: ['/api/'] };
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()] as [
    number,
    number,
    number,
    number,
  ];
  // Each gateway's other bound is 30 s: a 504 within the exchange's 5 s shows which one applies.
  const nginx = await startNginx(ports[0], {
    ...base,
    tunnelTimeout: 1,
    readTimeout: 30,
    internalListen: [`127.0.0.1:${ports[1]}`],
    tls: { certificate: cert.certificate, key: cert.key },
  });
  const haproxy = await startHaproxy(ports[2], {
    ...base,
    tunnelTimeout: 30,
    readTimeout: 1,
    internalListen: [`127.0.0.1:${ports[3]}`],
    tls: { certificate: cert.pem },
  });
  gateways.nginx = { ...nginx, plain: ports[1] };
  gateways.haproxy = { ...haproxy, plain: ports[3] };
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await raw?.stop();
});

describe.each([
  ['plain', false],
  ['TLS', true],
] as const)('hostile backends answering a WebSocket handshake (%s listener)', (_listener, tls) => {
  describe.each(['nginx', 'haproxy'] as const)('%s', (name) => {
    const port = () => (tls ? gateways[name].port : gateways[name].plain);
    const ca = () => (tls ? cert.ca : undefined);
    /** The handshake for `path` with a new id: the exchange and the id. */
    const handshake = async (path: string, upgraded = false) => {
      const id = crypto.randomUUID();
      const request = `GET ${path} HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${id}\r\n${HANDSHAKE}\r\n`;
      const { text, closed } = await exchange(port(), request, { ca: ca(), upgraded });
      return { answer: parseExchange(text), closed, id };
    };

    it.each([
      ['an HTML 500 with a stack', '/api/html-500', 500, 'INTERNAL'],
      ['a text 400 naming its version', '/api/text-400', 400, 'VALIDATION_FAILED'],
    ])('a refusal with %s: the page of its status, with the id', async (_what, path, status, code) => {
      const { answer, id } = await handshake(path);
      // nginx 1.22 keeps a backend's reason phrase (README, "Reason phrases"): pinned.
      const phrase = name === 'nginx' && status === 400 ? 'Bad Request by ws/8.1' : undefined;
      if (phrase !== undefined) {
        expect(answer.raw.split('\r\n')[0]).toBe(`HTTP/1.1 400 ${phrase}`);
        expect(answer.body).not.toContain('ws/8.1');
        expect(JSON.parse(answer.body)).toMatchObject({ status, code, request_id: id });
      } else expect(expectFaultlineAnswer(answer, status, code)).toBe(id);
      expect(await nextStatusLine(port(), '/api/next', ca())).toBe('HTTP/1.1 200 OK');
    });

    it('a 101 that closes at once: the 101 with the id, then the connection ends; logged 101', async () => {
      const { answer, closed, id } = await handshake('/api/close-after');
      expect(closed).toBe(true);
      expect(answer.status).toBe(101);
      expect(answer.headers).toContainEqual(['x-request-id', id]);
      expect(answer.body).toBe('');
      expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id, status: 101 });
      expect(await nextStatusLine(port(), '/api/next', ca())).toBe('HTTP/1.1 200 OK');
    });

    it('a 200 with a body to the handshake: passes as any 200 (no tunnel), with the id', async () => {
      const { answer, id } = await handshake('/api/ok-body');
      expect(answer.status).toBe(200);
      expect(answer.headers).toContainEqual(['x-request-id', id]);
      expect(answer.body).toBe(BODY);
    });

    it("a 101 with Server, X-Powered-By, Via and its own X-Request-ID: dropped, the gateway's id; Set-Cookie passes", async () => {
      const { answer, id } = await handshake('/api/leaky', true);
      expect(answer.raw.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
      const names = answer.headers.map(([n]) => n);
      for (const leaky of ['server', 'x-powered-by', 'via']) expect(names).not.toContain(leaky);
      expect(answer.headers.filter(([n]) => n === 'x-request-id')).toEqual([['x-request-id', id]]);
      expect(answer.headers).toContainEqual(['sec-websocket-accept', acceptOf(KEY)]);
      expect(answer.headers).toContainEqual(['set-cookie', 'sid=1; HttpOnly']);
    });
  });
});

describe.concurrent('a backend that never answers the handshake', () => {
  it.each([
    ['nginx', 'tunnelTimeout'],
    ['haproxy', 'readTimeout'],
  ] as const)('%s: the 504 page with the id after %s (1 s; the other bound is 30 s)', async (name, _bound) => {
    const id = crypto.randomUUID();
    const request = `GET /api/hang HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${id}\r\n${HANDSHAKE}\r\n`;
    const { text } = await exchange(gateways[name].plain, request, { timeoutMs: 5000 });
    expect(expectFaultlineAnswer(parseExchange(text), 504, 'TIMEOUT')).toBe(id);
    expect(await nextStatusLine(gateways[name].plain, '/api/next')).toBe('HTTP/1.1 200 OK');
  });
});
