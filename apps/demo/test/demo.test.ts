/** The demo service answers every failure it stages with the right status and no internals. */
import { isUuid } from '@faultline/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../src/http-app.js';
import { startUpstreams, type Upstreams } from '../src/upstreams.js';

const LEAKS = [
  'hunter2',
  'orders_reference_key',
  'db.internal',
  'AKIA',
  'sk_live',
  'ECONNREFUSED',
  'getter exploded',
  'viewer',
  '127.0.0.1',
];

let upstreams: Upstreams;
let app: FastifyInstance;
let base = '';

beforeAll(async () => {
  upstreams = await startUpstreams();
  app = await buildHttpApp({ upstreams, logLevel: 'silent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app.close();
  await upstreams.close();
});

describe('demo orders service', () => {
  it.each([
    ['GET', '/orders/999', undefined, 404, 'ORDER_NOT_FOUND'],
    ['GET', '/orders/abc', undefined, 400, 'VALIDATION_FAILED'],
    ['POST', '/orders', '{"reference":"A-1","quantity":1}', 409, 'CONFLICT'],
    ['POST', '/orders', '{"reference":"<x>","quantity":0}', 400, 'VALIDATION_FAILED'],
    ['POST', '/orders', '{"reference":', 400, 'VALIDATION_FAILED'],
    ['GET', '/orders/1/invoice', undefined, 503, 'UNAVAILABLE'],
    ['GET', '/reports/daily', undefined, 504, 'TIMEOUT'],
    ['GET', '/admin/orders', undefined, 403, 'ADMIN_ONLY'],
    ['GET', '/rate-limited', undefined, 429, 'RATE_LIMITED'],
    ['GET', '/debug/string', undefined, 500, 'INTERNAL'],
    ['GET', '/debug/hostile', undefined, 500, 'INTERNAL'],
    ['DELETE', '/orders/1', undefined, 405, 'METHOD_NOT_ALLOWED'],
  ] as const)('%s %s -> %i %s', async (method, path, body, status, code) => {
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const problem = JSON.parse(text);
    expect(problem.code).toBe(code);
    expect(isUuid(problem.request_id)).toBe(true);
    for (const leak of LEAKS) expect(text).not.toContain(leak);
  });

  it('still serves the happy path', async () => {
    const res = await fetch(`${base}/orders/1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 1, reference: 'A-1', quantity: 2 });
  });
});
