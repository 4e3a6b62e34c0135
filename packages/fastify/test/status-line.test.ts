/**
 * What a route set on its reply before it failed must not shape the error answer on the wire:
 * a reason phrase (`reply.raw.statusMessage = err.message`, which Node would send on the status
 * line), framing headers (`Transfer-Encoding`, which framed the answer twice beside its
 * `Content-Length`; `Trailer`) and digests of the success body. Read as raw bytes from a real
 * server, since clients hide the reason phrase and merge the framing.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, rawHttpExchange } from '@faultline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

let app: FastifyInstance;
let port = 0;

beforeAll(async () => {
  app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
  await app.register(faultline, { reporter: createReporter({ logger: memoryLog().logger, flushOnExit: false }) });
  app.get('/reason', (_request, reply) => {
    reply.raw.statusMessage = 'relation orders_private hunter2-Zq9';
    throw new Error('x');
  });
  app.get('/reason-and-code', (_request, reply) => {
    reply.code(299);
    reply.raw.statusMessage = 'db-7.internal';
    throw Object.assign(new Error('gone'), { statusCode: 404 });
  });
  app.get('/framing', (_request, reply) => {
    reply.header('transfer-encoding', 'chunked');
    reply.header('trailer', 'server-timing');
    reply.header('repr-digest', 'sha-256=:abc:');
    reply.header('content-digest', 'sha-256=:abc:');
    reply.header('digest', 'sha-256=abc');
    throw new Error('x');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(() => app.close());

const get = (path: string) => rawHttpExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

describe('the status line and framing of an error answer', () => {
  it("carries the status's own reason phrase, never one the route set", async () => {
    const raw = await get('/reason');
    expect(raw.startsWith('HTTP/1.1 500 Internal Server Error\r\n')).toBe(true);
    expect(raw).not.toContain('orders_private');
  });

  it('with a status the fault chose after the route set another code', async () => {
    const raw = await get('/reason-and-code');
    expect(raw.startsWith('HTTP/1.1 404 Not Found\r\n')).toBe(true);
    expect(raw).not.toContain('db-7');
  });

  it('is framed by Content-Length alone, without the digests of the success body', async () => {
    const raw = await get('/framing');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n')).toLowerCase();
    expect(head).toMatch(/\r\ncontent-length: \d+/);
    for (const name of ['transfer-encoding', 'trailer', 'repr-digest', 'content-digest', 'digest'])
      expect(head).not.toContain(`\r\n${name}:`);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});
