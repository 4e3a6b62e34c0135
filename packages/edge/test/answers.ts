/** Assertions shared by the gateway tests: the application's error shape, one id, no product name. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordFor } from '@faultline/testkit';
import { expect } from 'vitest';
import { type Exchange, headerValues } from './gateway.js';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Ids of other RFC 9562 versions, all valid UUIDs that the default rule refuses. */
export const V1_ID = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
export const V7_ID = '01890a5d-ac96-774b-bcce-b302099a8057';
export const V4_ID = '0b7d6f0e-5c2a-4e1b-9f3d-2a1c4b5e6f70';
export const LEAKS =
  /nginx|openresty|haproxy|\d+\.\d+\.\d+|<pre|\/srv\/|stack|at [A-Za-z]+\.|orders_pkey|x-debug|x-powered-by/i;

/** The gateway's JSON access log line carrying `id`, as written so far. */
export function accessLine(dir: string, id: string): Record<string, unknown> | undefined {
  let text = '';
  try {
    text = readFileSync(join(dir, 'access.log'), 'utf8');
  } catch {
    return undefined; // not created yet
  }
  // Only whole JSON lines: HAProxy also logs server state changes ("Server … is DOWN") to the same
  // place, and the last line may still be being written.
  const lines = text.split('\n').filter((line) => line.startsWith('{') && line.endsWith('}'));
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.request_id === id);
}

/** Polls `find` every 20 ms until it gives a value or `timeoutMs` passes, then gives undefined. */
export async function eventually<T>(find: () => T | undefined, timeoutMs = 10_000): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The access log line carrying `id`, waited for: a gateway writes it when the exchange ends (nginx
 * after its lingering close), which may be after the client has the answer. Polls for up to
 * `timeoutMs` (generous for a loaded machine: it returns as soon as the line is there).
 */
export function logged(dir: string, id: string, timeoutMs = 10_000): Promise<Record<string, unknown> | undefined> {
  return eventually(() => accessLine(dir, id), timeoutMs);
}

/**
 * The backend's record of `id`, waited for: the reporter writes asynchronously, and a repeated
 * error only in the compact line written once a second.
 */
export function recorded(
  records: readonly Record<string, unknown>[],
  id: string,
  timeoutMs = 10_000,
): Promise<Record<string, unknown> | undefined> {
  return eventually(() => recordFor(records, id), timeoutMs);
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
