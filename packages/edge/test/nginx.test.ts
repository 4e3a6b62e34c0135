/**
 * The generated nginx configuration, run by the real nginx (Debian, with njs and headers-more) in
 * front of a real Fastify + Faultline backend: every answer the gateway makes itself, and every
 * foreign 5xx it replaces, has the application's shape and headers, one request id (edge access
 * log = answer = backend record), and no product name or version; Faultline answers pass through.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePort, makeDrainCertificates, rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, LEAKS, logged, recorded, UUID_V4, V1_ID, V4_ID, V7_ID } from './answers.js';
import { type Backend, STREAM_CHUNKS, startBackend } from './backend.js';
import { curl, type Gateway, headerValues, startNginx } from './gateway.js';

let backend: Backend;
let gateway: Gateway;
let down: Gateway;
let wide: Gateway;
let base = '';
let certDir = '';

beforeAll(async () => {
  backend = await startBackend();
  const backendPort = backend.port;
  const certs = makeDrainCertificates();
  certDir = certs.dir;
  gateway = await startNginx(await freePort(), {
    upstreams: [`127.0.0.1:${backendPort}`],
    routes: ['/api/'],
    maxBodySize: '64k',
    readTimeout: 1,
    tls: { certificate: join(certs.dir, 'server.crt'), key: join(certs.dir, 'server.key') },
  });
  base = `https://127.0.0.1:${gateway.port}`;
  down = await startNginx(await freePort(), { upstreams: [`127.0.0.1:${await freePort()}`] });
  // Larger header buffers, and v7 ids accepted besides v4.
  wide = await startNginx(await freePort(), {
    upstreams: [`127.0.0.1:${backendPort}`],
    headerBuffers: { count: 4, size: '16k' },
    idVersions: [4, 7],
  });
});

afterAll(async () => {
  await gateway?.stop();
  await down?.stop();
  await wide?.stop();
  await backend?.close();
});

const get = (path: string, ...args: string[]) => curl(['--cacert', join(certDir, 'ca.crt'), ...args, `${base}${path}`]);

describe('nginx: answers the gateway makes itself', () => {
  it.each([
    ['unrouted path', () => get('/admin/panel'), 404, 'NOT_FOUND'],
    [
      'body too large',
      () => get('/api/echo', '-X', 'POST', '--data-binary', 'x'.repeat(70_000)),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'header overflow',
      () => get('/api/echo', '--http1.1', '-H', `X-Big: ${'a'.repeat(9000)}`),
      431,
      'HEADER_FIELDS_TOO_LARGE',
    ],
    [
      'headers of 24 KB',
      () => get('/api/echo', '--http1.1', '-H', `X-Big: ${'a'.repeat(24_000)}`),
      431,
      'HEADER_FIELDS_TOO_LARGE',
    ],
    ['URI too long', () => get(`/api/${'a'.repeat(9000)}`, '--http1.1'), 414, 'URI_TOO_LONG'],
    ['URI of 100 KB', () => get(`/api/${'a'.repeat(100_000)}`, '--http1.1'), 414, 'URI_TOO_LONG'],
    [
      'body too large (HTTP/2)',
      () => get('/api/echo', '--http2', '--data-binary', 'x'.repeat(70_000)),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['backend slow', () => get('/api/slow'), 504, 'TIMEOUT'],
  ] as const)('%s', async (_name, send, status, code) => {
    const id = expectFaultlineAnswer(await send(), status, code);
    expect(id).toMatch(UUID_V4);
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status });
  });

  it('larger header buffers (an option): a 12 KB header line reaches the backend, a 20 KB one is 431', async () => {
    const big = await curl([
      '--http1.1',
      '-H',
      `X-Big: ${'a'.repeat(12_000)}`,
      `http://127.0.0.1:${wide.port}/api/echo`,
    ]);
    expect(big.status).toBe(200);
    const tooBig = await curl([
      '--http1.1',
      '-H',
      `X-Big: ${'a'.repeat(20_000)}`,
      `http://127.0.0.1:${wide.port}/api/echo`,
    ]);
    expectFaultlineAnswer(tooBig, 431, 'HEADER_FIELDS_TOO_LARGE');
    const defaults = await get('/api/echo', '--http1.1', '-H', `X-Big: ${'a'.repeat(12_000)}`);
    expectFaultlineAnswer(defaults, 431, 'HEADER_FIELDS_TOO_LARGE');
  });

  it('backend down: 502 in the same shape, the access log names the refused upstream status', async () => {
    const exchange = await curl([`http://127.0.0.1:${down.port}/orders`]);
    const id = expectFaultlineAnswer(exchange, 502, 'BAD_GATEWAY');
    expect(await logged(down.dir, id)).toMatchObject({ status: 502, upstream_status: '502' });
  });

  it.each([
    ['duplicate Host', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    ['bad request line', 'GET /\x01 HTTP/9.9\r\n\r\n'],
    ['bad header name', 'GET / HTTP/1.1\r\nHost: a\r\nBad\x00Name: x\r\n\r\n'],
    ['bad chunked body', 'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('malformed request (%s): 400 in the same shape', async (_name, request) => {
    const raw = await rawHttpExchange(down.port, request);
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/\r\ncontent-type: application\/problem\+json; charset=utf-8\r\n/i);
    expect(raw).toMatch(/"code":"VALIDATION_FAILED","request_id":"[0-9a-f-]{36}"}$/);
    expect(raw).not.toMatch(/\r\nserver:/i);
    expect(raw).not.toMatch(LEAKS);
  });

  it('HTTP/2 header overflow: a stream error, never an nginx page', async () => {
    const exchange = await get('/api/echo', '--http2', '-H', `X-Big: ${'a'.repeat(70_000)}`);
    expect(exchange.raw).not.toMatch(LEAKS);
    if (exchange.status !== 0) expectFaultlineAnswer(exchange, exchange.status, String(JSON.parse(exchange.body).code));
  });
});

describe('nginx: backend answers', () => {
  it.each([
    ['HTML 500 with a stack and debug headers', '/api/html', 500, 'INTERNAL'],
    ['foreign JSON 503 without the id', '/api/foreign-json', 503, 'UNAVAILABLE'],
    ['a nonstandard 599', '/api/weird-status', 500, 'INTERNAL'],
  ] as const)('%s is replaced by the gateway page', async (_name, path, status, code) => {
    const exchange = await get(path);
    const id = expectFaultlineAnswer(exchange, status, code);
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id });
    if (status === 503) expect(headerValues(exchange, 'retry-after')).toEqual(['5']);
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
    expect(headerValues(exchange, 'server')).toEqual([]);
  });

  it('a success streamed in many chunks passes through whole and in order', async () => {
    const exchange = await get('/api/stream', '--http1.1');
    expect(exchange.status).toBe(200);
    expect(exchange.body).toBe(STREAM_CHUNKS.join(''));
  });
});

describe('nginx: request ids', () => {
  it('keeps a valid incoming v4 id through the backend and back', async () => {
    const exchange = await get('/api/conflict', '-H', `X-Request-ID: ${V4_ID}`);
    expect(expectFaultlineAnswer(exchange, 409, 'CONFLICT')).toBe(V4_ID);
    expect(await logged(gateway.dir, V4_ID)).toMatchObject({ status: 409 });
  });

  it('keeps an upper-case v4 id, lower-cased, in the answer, the backend and the log', async () => {
    const incoming = randomUUID();
    const exchange = await get('/api/echo', '-H', `X-Request-ID: ${incoming.toUpperCase()}`);
    expect(headerValues(exchange, 'x-request-id')).toEqual([incoming]);
    expect(JSON.parse(exchange.body)).toEqual({ seen: incoming });
    expect(await logged(gateway.dir, incoming)).toMatchObject({ status: 200 });
  });

  it.each([
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    'x'.repeat(4000),
    V1_ID,
    V7_ID,
    '0b7d6f0e-5c2a-4e1b-9f3d-2a1c4b5e6f70 ',
    '00000000-0000-0000-0000-000000000000',
    ['$', '{jndi:ldap://x}'].join(''),
  ])('replaces hostile, non-UUID or non-v4 id %#', async (incoming) => {
    const exchange = await get('/api/echo', '-H', `X-Request-ID: ${incoming}`);
    const [id] = headerValues(exchange, 'x-request-id');
    expect(id).toMatch(UUID_V4);
    expect(JSON.parse(exchange.body)).toEqual({ seen: id });
    expect(exchange.raw).not.toContain(incoming.trim());
  });

  it('two X-Request-ID headers: neither is trusted', async () => {
    const valid = '0b7d6f0e-5c2a-4e1b-9f3d-2a1c4b5e6f70';
    const exchange = await get('/api/echo', '-H', `X-Request-ID: ${valid}`, '-H', 'X-Request-ID: evil');
    const [id] = headerValues(exchange, 'x-request-id');
    expect(id).toMatch(UUID_V4);
    expect(id).not.toBe(valid);
    expect(JSON.parse(exchange.body)).toEqual({ seen: id });
  });

  it('with v7 accepted (an option): a v7 id is kept, a v1 id still replaced', async () => {
    const url = `http://127.0.0.1:${wide.port}/api/echo`;
    const v7 = await curl(['-H', `X-Request-ID: ${V7_ID.toUpperCase()}`, url]);
    expect(headerValues(v7, 'x-request-id')).toEqual([V7_ID]);
    expect(JSON.parse(v7.body)).toEqual({ seen: V7_ID });
    const v1 = await curl(['-H', `X-Request-ID: ${V1_ID}`, url]);
    const [id] = headerValues(v1, 'x-request-id');
    expect(id).toMatch(UUID_V4);
    expect(JSON.parse(v1.body)).toEqual({ seen: id });
  });

  it('generated ids are distinct UUID v4s', async () => {
    const ids = await Promise.all(Array.from({ length: 40 }, () => get('/admin')));
    const seen = new Set(ids.map((e) => headerValues(e, 'x-request-id')[0]));
    expect(seen.size).toBe(40);
    for (const id of seen) expect(id).toMatch(UUID_V4);
  });
});

describe('nginx: TLS', () => {
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

  it('plain HTTP on the TLS port: 400 in the same shape, no nginx page', async () => {
    const exchange = await curl([`http://127.0.0.1:${gateway.port}/`]);
    expectFaultlineAnswer(exchange, 400, 'VALIDATION_FAILED');
  });
});
