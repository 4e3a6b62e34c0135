/** Assertions shared by the gateway tests: the application's error shape, one id, no product name. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type Exchange, headerValues } from './gateway.js';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const LEAKS =
  /nginx|openresty|haproxy|\d+\.\d+\.\d+|<pre|\/srv\/|stack|at [A-Za-z]+\.|orders_pkey|x-debug|x-powered-by/i;

/** The gateway's JSON access log line carrying `id`. */
export function accessLine(dir: string, id: string): Record<string, unknown> | undefined {
  // Only JSON lines: HAProxy also logs server state changes ("Server … is DOWN") to the same place.
  const lines = readFileSync(join(dir, 'access.log'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'));
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.request_id === id);
}

/** The application's error shape, one UUID id (header = body), the security headers, nothing that names the product. */
export function expectFaultlineAnswer(exchange: Exchange, status: number, code: string): string {
  expect(exchange.status).toBe(status);
  const ids = headerValues(exchange, 'x-request-id');
  expect(ids).toHaveLength(1);
  const id = ids[0] as string;
  expect(id).toMatch(UUID);
  expect(headerValues(exchange, 'content-type')).toEqual(['application/problem+json; charset=utf-8']);
  expect(headerValues(exchange, 'x-content-type-options')).toEqual(['nosniff']);
  expect(headerValues(exchange, 'cache-control')).toEqual(['no-store']);
  expect(headerValues(exchange, 'server')).toEqual([]);
  const body = JSON.parse(exchange.body) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, request_id: id });
  expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'request_id', 'status', 'title', 'type']);
  expect(exchange.raw).not.toMatch(LEAKS);
  return id;
}
