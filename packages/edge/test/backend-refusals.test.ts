/**
 * Requests a gateway passes on but the Faultline backend's HTTP parser refuses (an unknown
 * method, headers within the gateway's limits but over Node's 16 KiB): the backend answers on the
 * raw socket, before it read the gateway's id, with an id of its own; the client must still get
 * one id, the same in the header, the body and the gateway's access log. And requests HAProxy 2.6
 * would pass on that nginx refuses itself: a missing or malformed Host, an `X_Request_ID`.
 */
import { randomUUID } from 'node:crypto';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, logged, V4_ID } from './answers.js';
import { type Backend, startBackend } from './backend.js';
import { curl, type Gateway, headerValues, rawExchange, startHaproxy, startNginx } from './gateway.js';

let backend: Backend;
const gateways = {} as Record<'nginx' | 'haproxy', Gateway>;

beforeAll(async () => {
  backend = await startBackend();
  const options = { upstreams: [`127.0.0.1:${backend.port}`], routes: ['/api/'] };
  gateways.nginx = await startNginx(await freePort(), options);
  gateways.haproxy = await startHaproxy(await freePort(), options);
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await backend?.close();
});

/** A GET of `target` with `lines` (header lines, each ending in CRLF) on a closed connection. */
const request = (target: string, lines: string, method = 'GET') =>
  `${method} ${target} HTTP/1.1\r\n${lines}Connection: close\r\n\r\n`;

describe.each(['nginx', 'haproxy'] as const)("%s: the backend's parser refuses the request", (name) => {
  it('an unknown method (FOO): 400 in the same shape, the id in the header = body = access log', async () => {
    const incoming = randomUUID();
    const exchange = await rawExchange(
      gateways[name].port,
      request('/api/echo', `Host: a\r\nX-Request-ID: ${incoming}\r\n`, 'FOO'),
    );
    expect(expectFaultlineAnswer(exchange, 400, 'VALIDATION_FAILED')).toBe(incoming);
    expect(await logged(gateways[name].dir, incoming)).toMatchObject({ request_id: incoming, status: 400 });
  });

  it("headers under the gateway's limits, over Node's 16 KiB with the request line: 431, one id", async () => {
    const lines = `Host: a\r\nX-A: ${'a'.repeat(6000)}\r\nX-B: ${'b'.repeat(6000)}\r\n`;
    const exchange = await rawExchange(gateways[name].port, request(`/api/echo?${'q'.repeat(6000)}`, lines));
    const id = expectFaultlineAnswer(exchange, 431, 'HEADER_FIELDS_TOO_LARGE');
    expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id, status: 431 });
  });
});

describe.each(['nginx', 'haproxy'] as const)('%s: Host', (name) => {
  it.each([
    ['none (HTTP/1.1)', ''],
    ['with a space', 'Host: a b\r\n'],
    ['with a slash', 'Host: ../etc\r\n'],
    ['with a dot-segment', 'Host: a..b\r\n'],
  ])('%s: 400 in the same shape, answered by the gateway', async (_name, host) => {
    const exchange = await rawExchange(gateways[name].port, request('/api/headers', host));
    const id = expectFaultlineAnswer(exchange, 400, 'VALIDATION_FAILED');
    expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id, status: 400 });
  });

  it.each([
    'api.example.com',
    'api.example.com.',
    'api.example.com:8443',
    '127.0.0.1:80',
    '[::1]:8443',
    'xn--bcher-kva.example',
  ])('%s reaches the backend (nginx sends it without the port and the final dot)', async (host) => {
    const exchange = await rawExchange(gateways[name].port, request('/api/headers', `Host: ${host}\r\n`));
    expect(exchange.status).toBe(200);
    const seen = (JSON.parse(exchange.body) as { host: string }).host;
    expect(seen.length).toBeGreaterThan(0);
    expect(host.startsWith(seen)).toBe(true);
  });

  it('HTTP/1.0 without Host reaches the backend (which nginx speaks HTTP/1.1 to, with a Host)', async () => {
    const id = randomUUID();
    const exchange = await rawExchange(gateways[name].port, `GET /api/echo HTTP/1.0\r\nX-Request-ID: ${id}\r\n\r\n`);
    expect(exchange.status).toBe(200);
    expect(JSON.parse(exchange.body)).toEqual({ seen: id });
  });
});

describe.each(['nginx', 'haproxy'] as const)('%s: X-Request-ID and its lookalikes', (name) => {
  it('a v4 id between tabs (optional white space) is kept: answer, backend and access log', async () => {
    const id = randomUUID();
    const lines = `Host: a\r\nX-Request-ID:\t${id}\t\r\n`;
    const exchange = await rawExchange(gateways[name].port, request('/api/echo', lines));
    expect(headerValues(exchange, 'x-request-id')).toEqual([id]);
    expect(JSON.parse(exchange.body)).toEqual({ seen: id });
    expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id, status: 200 });
  });

  it('X_Request_ID and X-Request_Id never reach the backend; the id it sees is the one returned', async () => {
    const lines = `Host: a\r\nX_Request_ID: ${V4_ID}\r\nX-Request_Id: ${V4_ID}\r\nx_request-id: ${V4_ID}\r\n`;
    const exchange = await rawExchange(gateways[name].port, request('/api/headers', lines));
    expect(exchange.status).toBe(200);
    const seen = JSON.parse(exchange.body) as Record<string, string>;
    expect(Object.keys(seen).filter((header) => /^x[-_]request[-_]id$/.test(header))).toEqual(['x-request-id']);
    expect(headerValues(exchange, 'x-request-id')).toEqual([seen['x-request-id']]);
    expect(seen['x-request-id']).not.toBe(V4_ID);
  });
});

describe.each(['nginx', 'haproxy'] as const)('%s: forwarding headers and expectations', (name) => {
  it("a client's X-Forwarded-For gets the peer appended; its X-Forwarded-Proto is replaced", async () => {
    const lines = 'Host: a\r\nX-Forwarded-For: 10.9.9.9\r\nX-Forwarded-Proto: https\r\n';
    const exchange = await rawExchange(gateways[name].port, request('/api/headers', lines));
    expect(exchange.status).toBe(200);
    expect(JSON.parse(exchange.body)).toMatchObject({
      'x-forwarded-for': '10.9.9.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
    });
  });

  it('an expectation other than 100-continue never reaches the backend (no bare 417)', async () => {
    const lines = 'Host: a\r\nExpect: 200-ok\r\nContent-Type: application/json\r\nContent-Length: 2\r\n';
    const exchange = await rawExchange(gateways[name].port, `${request('/api/echo', lines, 'POST')}{}`);
    expect(exchange.status).toBe(200);
    expect(JSON.parse(exchange.body)).toEqual({ ok: true });
  });

  it('Expect: 100-continue still gets the body through', async () => {
    const exchange = await curl([
      '-H',
      'Expect: 100-continue',
      '-H',
      'Content-Type: application/json',
      '--data-binary',
      '{}',
      `http://127.0.0.1:${gateways[name].port}/api/echo`,
    ]);
    expect(exchange.raw).toMatch(/\r\n\r\n\{"ok":true\}$/);
  });
});
