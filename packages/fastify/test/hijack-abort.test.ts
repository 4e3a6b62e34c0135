/**
 * Hijacked replies whose client leaves, or whose socket or handler times out: no spurious fault,
 * no crash, and the hooks Fastify runs for them (`onRequestAbort`) run as they did. A handler
 * that fails once its client is gone is recorded once (a cancellation as `cancelled`), and
 * writing Faultline's answer to the closed response throws nothing. Real server on 127.0.0.1,
 * node:net clients that disconnect.
 */
import { connect } from 'node:net';
import { createReporter } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

/** Waits until `test` holds, for at most 2 s. */
/** Resolves when the reply's raw response closes. */
const closed = (reply: FastifyReply) => new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));

describe('hijacked replies whose client leaves, or that time out', () => {
  const log = memoryLog();
  const hooks: string[] = [];
  let app: FastifyInstance;
  let port = 0;

  /** GETs `path` over a raw socket, destroyed after `leaveAfterMs` if given; resolves with what arrived. */
  function rawGet(path: string, leaveAfterMs?: number): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
      socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
      if (leaveAfterMs !== undefined) setTimeout(() => socket.destroy(), leaveAfterMs);
    });
  }

  const routeRecords = (route: string) => log.records.filter((r) => r.route === route);

  beforeAll(async () => {
    app = Fastify({ ...faultlineServerOptions<RawServerDefault>(), connectionTimeout: 300 });
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    app.addHook('onRequestAbort', async (request) => {
      hooks.push(`abort ${request.url}`);
    });
    app.addHook('onTimeout', async (request) => {
      hooks.push(`timeout ${request.url}`);
    });
    app.get('/stream', async (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write('data: 1\n\n');
      await closed(reply);
    });
    app.get('/idle', async (_request, reply) => {
      reply.hijack();
      await closed(reply);
    });
    app.get('/handler-timeout', { handlerTimeout: 30 }, async (_request, reply) => {
      reply.hijack();
      await new Promise((r) => setTimeout(r, 120));
      reply.raw.end('late, on its own');
    });
    app.get('/fails-after-leave/head-sent', async (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write('data: 1\n\n');
      await closed(reply);
      throw Object.assign(new Error('the stream was aborted'), { name: 'AbortError' });
    });
    app.get('/fails-after-leave/no-head', async (_request, reply) => {
      reply.hijack();
      await closed(reply);
      throw new Error('cache write failed after the client left');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await app.close();
  });

  it('a client leaving a hijacked stream: onRequestAbort runs, nothing is recorded', async () => {
    const text = await rawGet('/stream', 100);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    await until(() => hooks.includes('abort /stream'));
    await new Promise((r) => setTimeout(r, 50));
    expect(hooks).toContain('abort /stream');
    expect(routeRecords('/stream')).toEqual([]);
  });

  it('an idle hijacked socket closed by connectionTimeout: no onTimeout, nothing recorded', async () => {
    const text = await rawGet('/idle');
    expect(text).toBe('');
    await new Promise((r) => setTimeout(r, 50));
    expect(hooks).not.toContain('timeout /idle');
    expect(routeRecords('/idle')).toEqual([]);
  });

  it("a route's handlerTimeout leaves a hijacked reply alone", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/handler-timeout`, { signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('late, on its own');
    await new Promise((r) => setTimeout(r, 50));
    expect(routeRecords('/handler-timeout')).toEqual([]);
  });

  it.each([
    ['/fails-after-leave/head-sent', 'cancelled'],
    ['/fails-after-leave/no-head', 'internal'],
  ])(
    '%s: a handler failing once its client left is recorded once (%s), and nothing throws',
    async (route, category) => {
      await rawGet(route, 100);
      await until(() => routeRecords(route).length > 0);
      await new Promise((r) => setTimeout(r, 50));
      expect(routeRecords(route)).toHaveLength(1);
      expect(routeRecords(route)[0]).toMatchObject({ category });
    },
  );

  it('the server still answers afterwards', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/nowhere`, { signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(404);
  });
});
