/**
 * nginx over plain HTTP/1.1, on the wire: the statuses nginx answers on its own before any route
 * (405 for TRACE, 505 for an HTTP/2.0 request line), and backend statuses the application never
 * sends (status line and body agree), while a backend's own 4xx keeps its status (replaced by the
 * page for that status when it is not JSON, passed as it came when it is).
 */
import { freePort, rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, logged } from './answers.js';
import { type Backend, startBackend } from './backend.js';
import { type Gateway, parseExchange, startNginx } from './gateway.js';

let backend: Backend;
let gateway: Gateway;

beforeAll(async () => {
  backend = await startBackend();
  gateway = await startNginx(await freePort(), { upstreams: [`127.0.0.1:${backend.port}`], routes: ['/api/'] });
});

afterAll(async () => {
  await gateway?.stop();
  await backend?.close();
});

const send = async (request: string) => parseExchange(await rawHttpExchange(gateway.port, request));

describe('nginx: statuses it answers on its own', () => {
  it('TRACE: 405 in the same shape, logged', async () => {
    const exchange = await send('TRACE /api/echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const id = expectFaultlineAnswer(exchange, 405, 'METHOD_NOT_ALLOWED');
    expect(exchange.headers.filter(([name]) => name === 'allow')).toEqual([
      ['allow', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'],
    ]);
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 405, method: 'TRACE' });
  });

  it.each([
    ['HTTP/2.0', 'GET /api/echo HTTP/2.0\r\nHost: a\r\n\r\n'],
    ['HTTP/3.1', 'GET / HTTP/3.1\r\nHost: a\r\n\r\n'],
  ])('request line %s (nginx 505): 400 in the same shape', async (_name, request) => {
    const exchange = await send(request);
    expect(exchange.raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const id = expectFaultlineAnswer(exchange, 400, 'VALIDATION_FAILED');
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 400 });
  });
});

describe('nginx: a status the application never sends, from the backend', () => {
  it.each([599, 520, 507, 505])('%i over HTTP/1.1: status line and body both 500 INTERNAL', async (status) => {
    const exchange = await send(`GET /api/status/${status} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    expect(exchange.raw).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    const id = expectFaultlineAnswer(exchange, 500, 'INTERNAL');
    expect(exchange.raw).not.toMatch(/Backend Says No/);
    expect(await logged(gateway.dir, id)).toMatchObject({ status: 500, upstream_status: String(status) });
  });
});

describe("nginx: a backend's 4xx is never taken for nginx's own", () => {
  // Since foreign 4xx that are not JSON are replaced, the text/plain ones get the page for their
  // own status (not nginx's error_page, which would answer 411 or 416 as 400); JSON ones pass.
  it.each([
    [400, 'VALIDATION_FAILED'],
    [408, 'REQUEST_TIMEOUT'],
    [411, 'VALIDATION_FAILED'],
    [413, 'PAYLOAD_TOO_LARGE'],
  ])('%i from the backend, not JSON: the page for that status, status kept', async (status, code) => {
    const exchange = await send(`GET /api/status/${status} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    expect(exchange.raw).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    const id = expectFaultlineAnswer(exchange, status, code);
    expect(await logged(gateway.dir, id)).toMatchObject({ status, upstream_status: String(status) });
  });

  it.each([400, 408, 413])('%i from the backend in JSON passes through as it came', async (status) => {
    const exchange = await send(`GET /api/json-status/${status} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    expect(exchange.raw).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(exchange.body).toBe('{"error":"backend says no"}');
  });
});

describe("nginx: a backend's 431 that is not Faultline's with this id", () => {
  it('a foreign 431 is replaced by the gateway page', async () => {
    const exchange = await send('GET /api/status/431 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const id = expectFaultlineAnswer(exchange, 431, 'HEADER_FIELDS_TOO_LARGE');
    expect(await logged(gateway.dir, id)).toMatchObject({ status: 431, upstream_status: '431' });
  });
});
