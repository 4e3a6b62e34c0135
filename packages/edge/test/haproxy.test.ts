/**
 * The generated HAProxy configuration, run by the real HAProxy (Debian 2.6) in front of the real
 * Fastify + Faultline backend: the same scenarios as nginx where HAProxy can shape the answer, and
 * the one it cannot (a request HAProxy fails to parse, haproxy/haproxy#3032, fixed in 3.2) checked
 * to name no product and no version.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeDrainCertificates, rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, LEAKS, logged, recorded, UUID_V4, V1_ID, V4_ID, V7_ID } from './answers.js';
import { type Backend, startBackend } from './backend.js';
import { curl, type Exchange, type Gateway, headerValues, startHaproxy } from './gateway.js';

let backend: Backend;
let gateway: Gateway;
let down: Gateway;
let small: Gateway;
let base = '';
let certDir = '';

beforeAll(async () => {
  backend = await startBackend();
  const certs = makeDrainCertificates();
  certDir = certs.dir;
  const pem = join(certs.dir, 'server-bundle.pem');
  writeFileSync(
    pem,
    `${readFileSync(join(certs.dir, 'server.crt'), 'utf8')}${readFileSync(join(certs.dir, 'server.key'), 'utf8')}`,
  );
  gateway = await startHaproxy(await freePort(), {
    upstreams: [`127.0.0.1:${backend.port}`],
    routes: ['/api/'],
    maxBodyBytes: 65_536,
    readTimeout: 1,
    tls: { certificate: pem },
  });
  base = `https://127.0.0.1:${gateway.port}`;
  down = await startHaproxy(await freePort(), { upstreams: [`127.0.0.1:${await freePort()}`] });
  // HAProxy's own 16 KB buffer, lower limits, and v7 ids accepted besides v4.
  small = await startHaproxy(await freePort(), {
    upstreams: [`127.0.0.1:${backend.port}`],
    bufferSize: 16_384,
    maxUrlBytes: 4096,
    maxHeaderBytes: 8192,
    maxHeaderCount: 101,
    idVersions: [4, 7],
  });
});

afterAll(async () => {
  await gateway?.stop();
  await down?.stop();
  await small?.stop();
  await backend?.close();
});

const get = (path: string, ...args: string[]) => curl(['--cacert', join(certDir, 'ca.crt'), ...args, `${base}${path}`]);

describe('HAProxy: answers the gateway makes itself', () => {
  it.each([
    ['unrouted path', () => get('/admin/panel'), 404, 'NOT_FOUND'],
    ['backend slow', () => get('/api/slow'), 504, 'TIMEOUT'],
    ['URI of 100 KB', () => get(`/api/${'a'.repeat(100_000)}`, '--http1.1'), 414, 'URI_TOO_LONG'],
    ['URI over the 8 KB limit', () => get(`/api/${'a'.repeat(9000)}`, '--http1.1'), 414, 'URI_TOO_LONG'],
    [
      'headers of 24 KB',
      () => get('/api/echo', '--http1.1', '-H', `X-Big: ${'a'.repeat(24_000)}`),
      431,
      'HEADER_FIELDS_TOO_LARGE',
    ],
    [
      'headers of 24 KB in 300 lines',
      () =>
        get(
          '/api/echo',
          '--http1.1',
          ...Array.from({ length: 300 }, (_, i) => ['-H', `X-F${i}: ${'b'.repeat(80)}`]).flat(),
        ),
      431,
      'HEADER_FIELDS_TOO_LARGE',
    ],
    [
      'headers of 24 KB (HTTP/2)',
      () => get('/api/echo', '--http2', '-H', `X-Big: ${'a'.repeat(24_000)}`),
      431,
      'HEADER_FIELDS_TOO_LARGE',
    ],
  ] as const)('%s', async (_name, send, status, code) => {
    const id = expectFaultlineAnswer(await send(), status, code);
    expect(id).toMatch(UUID_V4);
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status });
  });

  it('body too large over HTTP/1.1: 413 in the same shape; HAProxy < 3.0 closes after an early answer, so a reset may destroy it (curl exit 55), never a leak', async () => {
    // haproxy/haproxy#3316: before 3.0 the H1 side closes once it has answered, and the client's
    // unread upload makes the kernel send a RST that can erase the answer in flight (about 2% of
    // tries under load here). Three tries: at least one must carry the answer, none may leak.
    const tries: Exchange[] = [];
    for (let i = 0; i < 3 && !tries.some((t) => t.exit === 0); i++) {
      tries.push(await get('/api/echo', '--http1.1', '--data-binary', 'x'.repeat(70_000)));
    }
    for (const exchange of tries) {
      expect(exchange.raw).not.toMatch(LEAKS);
      if (exchange.exit !== 0) expect(exchange.exit).toBe(55);
    }
    const answered = tries.find((t) => t.exit === 0);
    expect(answered).toBeDefined();
    const id = expectFaultlineAnswer(answered as Exchange, 413, 'PAYLOAD_TOO_LARGE');
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 413 });
  });

  it('body too large over HTTP/2: HAProxy answers 413 then resets the unread stream (curl 7.88 drops the answer); nothing leaks', async () => {
    const exchange = await get('/api/echo', '--http2', '--data-binary', 'x'.repeat(70_000));
    expect(exchange.raw).not.toMatch(LEAKS);
    if (exchange.exit === 0) expectFaultlineAnswer(exchange, 413, 'PAYLOAD_TOO_LARGE');
    else expect(exchange.exit).toBe(92);
  });

  it('backend down: 503 (no server left) or 502 in the same shape', async () => {
    const exchange = await curl([`http://127.0.0.1:${down.port}/orders`]);
    const code = exchange.status === 503 ? 'UNAVAILABLE' : 'BAD_GATEWAY';
    const id = expectFaultlineAnswer(exchange, exchange.status, code);
    expect([502, 503]).toContain(exchange.status);
    expect(await logged(down.dir, id)).toMatchObject({ request_id: id });
  });

  it("within the buffer, 150 header lines (over HAProxy's own 101) reach the backend", async () => {
    const headers = Array.from({ length: 150 }, (_, i) => ['-H', `X-F${i}: v`]).flat();
    expect((await get('/api/echo', '--http1.1', ...headers)).status).toBe(200);
  });

  it("lower limits (options): a 5 KB URL is 414, 9 KB of headers 431, a 20 KB request HAProxy's own 400", async () => {
    const url = `http://127.0.0.1:${small.port}/api/`;
    expectFaultlineAnswer(await curl([`${url}${'a'.repeat(5000)}`]), 414, 'URI_TOO_LONG');
    expectFaultlineAnswer(await curl(['-H', `X-Big: ${'a'.repeat(9000)}`, url]), 431, 'HEADER_FIELDS_TOO_LARGE');
    const over = await rawHttpExchange(small.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(over).toMatch(/^HTTP\/1\.1 400 /);
    expect(over).not.toMatch(LEAKS);
  });

  it.each([
    ['duplicate Content-Length', 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
    ['bad request line', 'GET /\x01 HTTP/9.9\r\n\r\n'],
    ['request over the 128 KB buffer', `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(140_000)}\r\n\r\n`],
  ])(
    'unparsable request (%s): HAProxy 2.6 answers its built-in 400, which names no product or version',
    async (_name, request) => {
      const raw = await rawHttpExchange(down.port, request);
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).not.toMatch(/\r\nserver:/i);
      expect(raw).not.toMatch(LEAKS);
    },
  );
});

describe('HAProxy: backend answers', () => {
  it.each([
    ['HTML 500 with a stack and debug headers', '/api/html', 500, 'INTERNAL'],
    ['foreign JSON 503 without the id', '/api/foreign-json', 503, 'UNAVAILABLE'],
    ['a nonstandard 599', '/api/weird-status', 500, 'INTERNAL'],
  ] as const)('%s is replaced by the gateway page', async (_name, path, status, code) => {
    const exchange = await get(path);
    const id = expectFaultlineAnswer(exchange, status, code);
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id });
  });

  it.each([
    ['a 4xx', '/api/conflict', 409, 'CONFLICT'],
    ['a 5xx', '/api/crash', 500, 'INTERNAL'],
  ] as const)(
    'Faultline problem JSON (%s) passes through untouched, with the edge id in the backend record',
    async (_n, path, status, code) => {
      const exchange = await get(path);
      const id = expectFaultlineAnswer(exchange, status, code);
      expect(await logged(gateway.dir, id)).toMatchObject({ status, upstream_status: String(status) });
      expect(await recorded(backend.records, id)).toMatchObject({ request_id: id, code });
    },
  );

  it('success passes through; the backend saw the edge id', async () => {
    const exchange = await get('/api/echo');
    expect(exchange.status).toBe(200);
    const id = headerValues(exchange, 'x-request-id');
    expect(id).toHaveLength(1);
    expect(JSON.parse(exchange.body)).toEqual({ seen: id[0] });
  });
});

describe('HAProxy: request ids', () => {
  it('keeps a valid incoming v4 id through the backend and back', async () => {
    const exchange = await get('/api/conflict', '-H', `X-Request-ID: ${V4_ID}`);
    expect(expectFaultlineAnswer(exchange, 409, 'CONFLICT')).toBe(V4_ID);
  });

  it('keeps an upper-case v4 id, lower-cased, in the answer, the backend and the log', async () => {
    const incoming = randomUUID();
    const exchange = await get('/api/echo', '-H', `X-Request-ID: ${incoming.toUpperCase()}`);
    expect(headerValues(exchange, 'x-request-id')).toEqual([incoming]);
    expect(JSON.parse(exchange.body)).toEqual({ seen: incoming });
    expect(await logged(gateway.dir, incoming)).toMatchObject({ status: 200 });
  });

  it('with v7 accepted (an option): a v7 id is kept, a v1 id still replaced', async () => {
    const url = `http://127.0.0.1:${small.port}/api/echo`;
    const v7 = await curl(['-H', `X-Request-ID: ${V7_ID}`, url]);
    expect(headerValues(v7, 'x-request-id')).toEqual([V7_ID]);
    expect(JSON.parse(v7.body)).toEqual({ seen: V7_ID });
    const v1 = await curl(['-H', `X-Request-ID: ${V1_ID}`, url]);
    const [id] = headerValues(v1, 'x-request-id');
    expect(id).toMatch(UUID_V4);
    expect(JSON.parse(v1.body)).toEqual({ seen: id });
  });

  it.each([
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    'x'.repeat(4000),
    V1_ID,
    V7_ID,
    `${V4_ID},${V4_ID}`,
    '00000000-0000-0000-0000-000000000000',
    ['%[', 'env(HOME)]'].join(''),
  ])('replaces hostile, non-UUID or non-v4 id %#', async (incoming) => {
    const exchange = await get('/api/echo', '-H', `X-Request-ID: ${incoming}`);
    const [id] = headerValues(exchange, 'x-request-id');
    expect(id).toMatch(UUID_V4);
    expect(JSON.parse(exchange.body)).toEqual({ seen: id });
    expect(exchange.raw).not.toContain(incoming);
  });

  it('two X-Request-ID headers: neither is trusted', async () => {
    const valid = '0b7d6f0e-5c2a-4e1b-9f3d-2a1c4b5e6f70';
    const exchange = await get('/api/echo', '-H', `X-Request-ID: ${valid}`, '-H', 'X-Request-ID: evil');
    const [id] = headerValues(exchange, 'x-request-id');
    expect(id).toMatch(UUID_V4);
    expect(id).not.toBe(valid);
  });
});

describe('HAProxy: TLS', () => {
  it('TLS 1.3 with HTTP/2 over ALPN', async () => {
    const exchange = await get('/admin', '--http2', '--tlsv1.3');
    expect(exchange.protocol).toBe('HTTP/2');
    expectFaultlineAnswer(exchange, 404, 'NOT_FOUND');
  });

  it('refuses TLS 1.2 and older', async () => {
    const exchange = await get('/admin', '--tlsv1.0', '--tls-max', '1.2');
    expect(exchange.exit).toBe(35);
    expect(exchange.raw).toBe('');
  });
});
