/**
 * `listen({ host: 'localhost' })` (server-bindings.ts): Fastify binds the first address and makes
 * one more server for each other address `localhost` resolves to, sharing only the request
 * handler. Malformed HTTP and `Expect: foo` on 127.0.0.1 and on [::1] both get Faultline's answer
 * (problem JSON with an id; the route's answer), never Node's bare 400 or 417. Where `localhost`
 * resolves to 127.0.0.1 alone (this CI machine's /etc/hosts), `dns.lookup` answers for it as on
 * most machines (both addresses) while the server starts; the [::1] half is skipped without an
 * IPv6 loopback. Real sockets, real server.
 */
import dns from 'node:dns';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { createReporter, isUuid } from '@faultline/core';
import { memoryLog, rawHttpExchange } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

/** True when this machine can listen on [::1]. */
function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

/** Writes `request` on a fresh connection to `host`:`port`; everything the server sent until it closed. */
const exchange = (host: string, port: number, request: string) => rawHttpExchange(port, request, 3000, host);

/** Runs `start` with `dns.lookup('localhost', { all: true })` giving both loopback addresses. */
async function withDualLocalhost<T>(start: () => Promise<T>): Promise<T> {
  const lookup = dns.lookup;
  const dual = [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ];
  (dns as { lookup: unknown }).lookup = (host: string, options: unknown, callback: unknown) => {
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    if (host === 'localhost' && all && typeof callback === 'function') {
      process.nextTick(callback as (...args: unknown[]) => void, null, dual);
      return undefined;
    }
    return (lookup as (...args: unknown[]) => unknown)(host, options, callback);
  };
  try {
    return await start();
  } finally {
    dns.lookup = lookup;
  }
}

describe('listen on localhost: every server Fastify makes answers as app.server does', async () => {
  const ipv6 = await hasIpv6Loopback();
  const log = memoryLog();
  let app: FastifyInstance;
  let port = 0;

  beforeAll(async () => {
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, { reporter: createReporter({ logger: log.logger, flushOnExit: false }) });
    app.get('/ok', async () => ({ ok: true }));
    await (ipv6 ? withDualLocalhost(() => app.listen({ host: 'localhost', port: 0 })) : app.listen({ port: 0 }));
    ({ port } = app.server.address() as { port: number });
  });
  afterAll(async () => {
    await app.close();
  });

  const hosts = ipv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];

  it('listens on both loopback addresses', () => {
    const bound = (app.addresses() as AddressInfo[]).map((a) => a.address);
    for (const host of hosts) expect(bound).toContain(host);
  });

  it.each(hosts)('answers malformed HTTP on %s with problem JSON and an id', async (host) => {
    const raw = await exchange(host, port, 'GARBAGE hunter2\r\n\r\n');
    expect(raw.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
    expect(raw).toContain('content-type: application/problem+json; charset=utf-8');
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { code?: string; request_id?: string };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(isUuid(body.request_id)).toBe(true);
    expect(raw).not.toContain('hunter2');
  });

  it.each(hosts)('hands Expect: foo on %s to the route, not a bare 417', async (host) => {
    const raw = await exchange(host, port, 'GET /ok HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nConnection: close\r\n\r\n');
    expect(raw.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(raw.endsWith('{"ok":true}')).toBe(true);
  });
});
