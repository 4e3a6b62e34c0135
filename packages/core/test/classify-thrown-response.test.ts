/**
 * A thrown web `Response`: one the application made (`throw new Response(null, { status: 404 })`,
 * Remix's and fetch-style routers' way to answer) states the application's status, as an
 * http-errors status does; one it fetched (`if (!res.ok) throw res`) is an upstream's answer and
 * never the client's 404 or 401. A look-alike that only claims the tag is not trusted. Real fetch
 * against a server on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../src/index.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    response.statusCode = Number(request.url?.slice(1)) || 500;
    response.end('upstream body: db-7.internal');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('a Response the application made and threw', () => {
  it.each([
    [404, 404, 'NOT_FOUND'],
    [401, 401, 'UNAUTHENTICATED'],
    [409, 409, 'CONFLICT'],
    [422, 400, 'VALIDATION_FAILED'],
    [500, 500, 'INTERNAL'],
  ])('status %i answers %i', (status, answered, code) => {
    const fault = capture(new Response('secret: db-7.internal', { status }));
    expect(fault.status).toBe(answered);
    expect(fault.code).toBe(code);
  });
});

describe('a Response that was fetched and thrown', () => {
  it.each([404, 401, 403, 500])('upstream %i is never the client’s', async (status) => {
    const response = await fetch(`${base}/${status}`);
    const fault = capture(response);
    expect(fault.status).toBeGreaterThanOrEqual(500);
    await response.body?.cancel();
  });
});

it('an object that only claims to be a Response is not trusted', () => {
  const fake = { [Symbol.toStringTag]: 'Response', status: 404, url: '', headers: {} };
  expect(capture(fake).status).toBeGreaterThanOrEqual(500);
});
