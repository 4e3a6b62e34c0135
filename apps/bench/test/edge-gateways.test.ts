/**
 * The four gateways `bench:edge` compares start and proxy an answer. Benchmarks are not run by CI,
 * so this is what keeps `bench:edge` runnable: its bare nginx once failed to start for several
 * sessions unnoticed, after the generated log format gained variables of its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchGateway, bareHaproxy, bareNginx, generatedHaproxy, generatedNginx } from '../src/edge-gateways.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What the backend saw of the last request: the id the gateway sent it. */
const seen: (string | undefined)[] = [];
let backend: Server;
const gateways: BenchGateway[] = [];

/** A backend answering every request as Faultline does: a 409 problem JSON carrying the request's id. */
function startBackend(): Promise<number> {
  backend = createServer((req, res) => {
    const id = req.headers['x-request-id'];
    seen.push(typeof id === 'string' ? id : undefined);
    const body = JSON.stringify({ type: 'about:blank', status: 409, code: 'CONFLICT', requestId: id ?? null });
    res.writeHead(409, {
      'content-type': 'application/problem+json',
      ...(typeof id === 'string' ? { 'x-request-id': id } : {}),
    });
    res.end(body);
  });
  return new Promise((resolve) =>
    backend.listen(0, '127.0.0.1', () => resolve((backend.address() as AddressInfo).port)),
  );
}

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) =>
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    }),
  );
}

let upstream = 0;
beforeAll(async () => {
  upstream = await startBackend();
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await new Promise((resolve) => backend.close(resolve));
});

describe('bench:edge gateways', () => {
  it.each([
    ['bare nginx', bareNginx, false],
    ['generated nginx', generatedNginx, true],
    ['bare HAProxy', bareHaproxy, false],
    ['generated HAProxy', generatedHaproxy, true],
  ] as const)(
    '%s starts, proxies the backend answer, and counts its CPU',
    async (_name, start, generated) => {
      const gateway = await start(upstream, await freePort(), 0);
      gateways.push(gateway);
      const before = seen.length;
      const response = await fetch(`http://127.0.0.1:${gateway.port}/fail`);
      const body = (await response.json()) as { status: number; requestId: string | null };
      expect(response.status).toBe(409);
      expect(body.status).toBe(409);
      expect(seen.length).toBe(before + 1);
      if (generated) {
        // The generated gateways make the id, send it upstream and return it: one id across the hop.
        const id = response.headers.get('x-request-id') ?? '';
        expect(id).toMatch(UUID_V4);
        expect(seen.at(-1)).toBe(id);
        expect(body.requestId).toBe(id);
      }
      expect(gateway.cpu()).toBeGreaterThanOrEqual(0);
    },
    15_000,
  );
});
