/**
 * With a subscriber on Fastify's `tracing:fastify.request.handler:error` channel (Sentry's
 * Fastify integration subscribes), Fastify reads `statusCode` and `status` of a thrown value
 * itself. The plugin's guard keeps that safe for hostile values and leaves every other answer
 * as it was: a `reply` returned from a handler, a callback hook's `done(error)`, plain errors
 * with their own status. (The whole corpus runs this way in corpus.test.ts.)
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createReporter } from '@faultline/core';
import { memoryLog, recordFor } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

const CHANNEL = 'tracing:fastify.request.handler:error';
const seen: unknown[] = [];
const observer = (message: unknown) => {
  seen.push((message as { error?: unknown }).error);
};

const hostile = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('trap: postgres://app:hunter2@10.0.4.12/shop');
      },
    },
  );

describe("handlers and hooks with a subscriber on Fastify's handler error channel", () => {
  let app: FastifyInstance;
  let base = '';
  const log = memoryLog();

  beforeAll(async () => {
    subscribe(CHANNEL, observer);
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    app.get('/returns-reply', (_request, reply) => reply.send({ ok: 'sync' }));
    app.get('/async-returns-reply', async (_request, reply) => {
      reply.send({ ok: 'async' });
      return reply;
    });
    app.get(
      '/callback-hook',
      {
        preHandler: (_request, _reply, done) => {
          done(hostile() as Error);
        },
      },
      () => 'unreachable',
    );
    app.get(
      '/hook-array',
      {
        preHandler: [
          async () => {},
          async () => {
            throw hostile();
          },
        ],
      },
      () => 'unreachable',
    );
    app.addHook('preHandler', async (request) => {
      if (request.url === '/app-hook') throw hostile();
    });
    app.addHook('preHandler', (request, _reply, done) => {
      done(request.url === '/app-callback-hook' ? (hostile() as Error) : undefined);
    });
    app.get('/app-hook', () => 'unreachable');
    app.get('/app-callback-hook', () => 'unreachable');
    app.get(
      '/promise-hook',
      {
        preHandler: ((_request: unknown) => Promise.reject(hostile())) as never,
      },
      () => 'unreachable',
    );
    app.get('/symbol-status', async () => {
      throw Object.assign(new Error('x'), { statusCode: Symbol('s') });
    });
    app.get('/getter-status', async () => {
      throw Object.defineProperty(new Error('x'), 'status', {
        get() {
          throw new Error('getter ran');
        },
      });
    });
    app.get('/plain-404', async () => {
      throw Object.assign(new Error('no such order'), { statusCode: 404, expose: true });
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    unsubscribe(CHANNEL, observer);
    await app.close();
  });

  const get = (path: string) => fetch(`${base}${path}`, { signal: AbortSignal.timeout(3000) });

  it.each(['/returns-reply', '/async-returns-reply'])('%s: a returned reply still answers 200', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('ok');
  });

  it.each([
    '/callback-hook',
    '/hook-array',
    '/app-hook',
    '/app-callback-hook',
    '/promise-hook',
    '/symbol-status',
    '/getter-status',
  ])('%s: a value Fastify cannot read is answered 500 INTERNAL and recorded under its id', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { code: string; request_id: string };
    expect(body.code).toBe('INTERNAL');
    expect(res.headers.get('x-request-id')).toBe(body.request_id);
    expect(JSON.stringify(body)).not.toMatch(/hunter2|10\.0\.4\.12|getter ran/);
    expect(recordFor(log.records, body.request_id)).toMatchObject({ code: 'INTERNAL', status: 500 });
  });

  it('an error with a status of its own keeps it, and the subscriber sees the thrown values', async () => {
    const res = await get('/plain-404');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });

  it('an async hook declaring done is still refused by Fastify at registration', async () => {
    const other = Fastify(faultlineServerOptions<RawServerDefault>());
    await other.register(faultline, { reporter: false });
    const asyncWithDone = async (_request: unknown, _reply: unknown, _done: unknown) => {};
    expect(() => other.addHook('preHandler', asyncWithDone as never)).toThrow(
      /FST_ERR_HOOK_INVALID_ASYNC_HANDLER|Async function has too many arguments/,
    );
    await other.close();
  });
});
