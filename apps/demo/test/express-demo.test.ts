/** The demo's Express service answers every staged failure with the right status and no internals. */
import { isUuid } from '@faultline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExpress } from '../src/express-app.js';
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
];

let upstreams: Upstreams;
let service: Awaited<ReturnType<typeof startExpress>>;
let base = '';

beforeAll(async () => {
  upstreams = await startUpstreams();
  service = await startExpress(0, '127.0.0.1', upstreams);
  base = `http://127.0.0.1:${(service.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await service.close();
  await upstreams.close();
});

describe('demo Express service', () => {
  it.each([
    ['GET', '/orders/999', undefined, 404, 'ORDER_NOT_FOUND'],
    ['POST', '/orders', '{"reference":"A-1","quantity":1}', 409, 'CONFLICT'],
    ['POST', '/orders', '{"reference":"x","quantity":0}', 400, 'VALIDATION_FAILED'],
    ['POST', '/orders', '{"reference":', 400, 'VALIDATION_FAILED'],
    ['GET', '/orders/1/invoice', undefined, 503, 'UNAVAILABLE'],
    ['GET', '/reports/daily', undefined, 504, 'TIMEOUT'],
    ['GET', '/admin/orders', undefined, 403, 'ADMIN_ONLY'],
    ['GET', '/debug/string', undefined, 500, 'INTERNAL'],
    ['GET', '/debug/hostile', undefined, 500, 'INTERNAL'],
    ['GET', '/nope', undefined, 404, 'NOT_FOUND'],
  ])('%s %s -> %i %s', async (method, path, body, status, code) => {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const parsed = JSON.parse(text) as { code: string; request_id: string; errors?: { pointer: string }[] };
    expect(parsed.code).toBe(code);
    expect(isUuid(parsed.request_id)).toBe(true);
    for (const leak of LEAKS) expect(text).not.toContain(leak);
    if (code === 'VALIDATION_FAILED' && body?.includes('quantity')) {
      expect(parsed.errors?.map((e) => e.pointer).sort()).toEqual(['/quantity', '/reference']);
    }
  });

  // express.json() leaves req.body undefined for these: without the route's check, zod's error about
  // a body that is not there was the server's 500 INTERNAL.
  it.each([
    ['a text body', 415, 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'text/plain' }, 'zzz'],
    [
      'a form body',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'reference=A-2',
    ],
    ['an empty body without a type', 415, 'UNSUPPORTED_MEDIA_TYPE', {}, undefined],
    ['an empty JSON body', 400, 'VALIDATION_FAILED', { 'content-type': 'application/json' }, undefined],
  ])('POST /orders with %s -> %i %s', async (_name, status, code, headers, body) => {
    const response = await fetch(`${base}/orders`, {
      method: 'POST',
      headers,
      ...(body === undefined ? {} : { body }),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const parsed = (await response.json()) as { code: string; request_id: string };
    expect(parsed.code).toBe(code);
    expect(isUuid(parsed.request_id)).toBe(true);
  });
});
