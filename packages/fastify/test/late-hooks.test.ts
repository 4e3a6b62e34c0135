/**
 * Hooks whose failures reach no error handler (`onResponse`, `onError`, `onRequestAbort`,
 * `onTimeout`), added with `addHook` or as a route's own, failing every way a hook can (a
 * rejection, a synchronous throw, an error passed to `done`): the client's answer is unchanged,
 * the failure is recorded under the request's id, Fastify's own log never carries it (it logged
 * the raw message and stack, or nothing, and Faultline recorded nothing), and the hooks after a
 * failing one still run. Real server on 127.0.0.1, undici fetch and node:http clients.
 */
import { request as httpRequest } from 'node:http';
import { createReporter } from '@faultline/core';
import { memoryLog, recordFor, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

const SECRET = 'hunter2-late';
const failure = (hook: string) => new Error(`${hook} failed: postgres://app:${SECRET}@10.0.4.12/shop`);
const CLIENT_ID = () => crypto.randomUUID();

/** Waits until `test` holds (the reporter writes asynchronously), for at most 2 s. */
describe('hooks that fail where no error handler runs', () => {
  const faults = memoryLog();
  const fastifyLog = memoryLog();
  const after: string[] = [];
  let app: FastifyInstance;
  let base = '';
  let port = 0;

  beforeAll(async () => {
    app = Fastify({
      ...faultlineServerOptions(),
      loggerInstance: fastifyLog.logger,
      connectionTimeout: 300,
    }) as unknown as FastifyInstance;
    await app.register(faultline, {
      reporter: createReporter({ logger: faults.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    const path = (request: FastifyRequest) => request.url.split('?')[0] as string;
    app.addHook('onResponse', async (request) => {
      if (path(request) === '/app-async') throw failure('onResponse');
    });
    app.addHook('onResponse', (request, _reply, done) => {
      if (path(request) === '/app-callback') done(failure('onResponse'));
      else done();
    });
    app.addHook('onResponse', (request, _reply, done) => {
      if (path(request) === '/app-sync') throw failure('onResponse');
      done();
    });
    // Runs after the failing ones: Fastify skipped it once one failed.
    app.addHook('onResponse', async (request) => {
      after.push(path(request));
    });
    for (const name of ['/app-async', '/app-callback', '/app-sync']) app.get(name, () => ({ ok: true }));
    app.get(
      '/route-hooks',
      {
        onResponse: [
          async () => {
            throw failure('onResponse');
          },
          // Calls done and returns a rejected promise: Fastify would go on twice.
          ((_request: unknown, _reply: unknown, done: () => void) => {
            done();
            return Promise.reject(failure('second outcome'));
          }) as never,
        ],
      },
      () => ({ ok: true }),
    );
    app.get(
      '/on-error',
      {
        onError: async () => {
          throw failure('onError');
        },
      },
      () => {
        throw new Error('route failed');
      },
    );
    app.get(
      '/on-error-callback',
      // Fastify types onError's done without an argument; applications pass one all the same.
      { onError: (_request, _reply, _error, done) => (done as (error: Error) => void)(failure('onError')) },
      () => {
        throw new Error('route failed');
      },
    );
    const waitForClose = (request: FastifyRequest) =>
      new Promise((resolve) => request.raw.once('close', () => setTimeout(resolve, 20)));
    app.get(
      '/on-request-abort',
      {
        onRequestAbort: async () => {
          throw failure('onRequestAbort');
        },
      },
      async (request) => waitForClose(request),
    );
    app.get(
      '/on-timeout',
      {
        onTimeout: (_request, _reply, done) => done(failure('onTimeout') as never),
      },
      async (request) => waitForClose(request),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => app.close());

  /** GETs `path` with a request id of the client's own; resolves with the answer, or with `gone`. */
  const get = async (path: string, id: string, abortAfterMs?: number) => {
    const signal = abortAfterMs === undefined ? AbortSignal.timeout(3000) : AbortSignal.timeout(abortAfterMs);
    try {
      const res = await fetch(`${base}${path}`, { headers: { 'x-request-id': id }, signal });
      return { status: res.status, id: res.headers.get('x-request-id'), body: await res.text() };
    } catch {
      return undefined;
    }
  };

  /** Asserts the hook's failure is recorded under `id`, and absent from Fastify's own log. */
  async function expectRecorded(id: string, hook: string): Promise<void> {
    const mine = () => faults.records.filter((r) => r.request_id === id && JSON.stringify(r.error).includes(hook));
    await until(() => mine().length > 0);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(JSON.stringify(mine())).not.toContain(SECRET);
    expect(JSON.stringify(fastifyLog.records)).not.toContain(SECRET);
  }

  it.each(['/app-async', '/app-callback', '/app-sync'])(
    '%s: onResponse fails; 200 stays, recorded, later hooks run',
    async (path) => {
      const id = CLIENT_ID();
      const answer = await get(path, id);
      expect(answer).toEqual({ status: 200, id, body: '{"ok":true}' });
      await expectRecorded(id, 'onResponse failed');
      await until(() => after.includes(path));
      expect(after.filter((p) => p === path)).toEqual([path]);
    },
  );

  it("a route's own onResponse hooks: both failures recorded, Fastify goes on once", async () => {
    const id = CLIENT_ID();
    expect((await get('/route-hooks', id))?.status).toBe(200);
    await expectRecorded(id, 'onResponse failed');
    await expectRecorded(id, 'second outcome failed');
    await new Promise((r) => setTimeout(r, 50));
    // Fastify's own completion line comes once (the hook went on through `done` and its promise).
    const completed = fastifyLog.records.filter((r) => r.request_id === id && r.msg === 'request completed');
    expect(completed).toHaveLength(1);
  });

  it.each(['/on-error', '/on-error-callback'])(
    '%s: the answer is the route error, the hook failure is recorded too',
    async (path) => {
      const id = CLIENT_ID();
      const answer = await get(path, id);
      expect(answer?.status).toBe(500);
      expect(answer?.id).toBe(id);
      expect(JSON.parse(answer?.body ?? '{}')).toMatchObject({ code: 'INTERNAL', request_id: id });
      expect(recordFor(faults.records, id)).toBeDefined();
      await expectRecorded(id, 'onError failed');
    },
  );

  it('onRequestAbort fails after the client left: recorded under its id', async () => {
    const id = CLIENT_ID();
    expect(await get('/on-request-abort', id, 100)).toBeUndefined();
    await expectRecorded(id, 'onRequestAbort failed');
  });

  it('onTimeout fails when the connection times out: recorded under its id', async () => {
    const id = CLIENT_ID();
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/on-timeout', headers: { 'x-request-id': id } });
      req.on('response', () => resolve('answered'));
      req.on('error', () => resolve('closed'));
      req.end();
    });
    expect(outcome).toBe('closed');
    await expectRecorded(id, 'onTimeout failed');
  });

  it('async hooks Fastify refuses at registration are still refused', async () => {
    const fresh = Fastify(faultlineServerOptions());
    await fresh.register(faultline, { reporter: false });
    const refused = /FST_ERR_HOOK_INVALID_ASYNC_HANDLER|Async function has too many arguments/;
    expect(() => fresh.addHook('onResponse', (async (_q: unknown, _r: unknown, _d: unknown) => {}) as never)).toThrow(
      refused,
    );
    expect(() => fresh.addHook('onRequestAbort', (async () => {}) as never)).toThrow(refused);
    expect(() =>
      fresh.addHook('onError', (async (_q: unknown, _r: unknown, _e: unknown, _d: unknown) => {}) as never),
    ).toThrow(refused);
    expect(() => fresh.addHook('onResponse', async () => {})).not.toThrow();
    await fresh.close();
  });

  it('still serves', async () => {
    const id = CLIENT_ID();
    expect(await get('/app-callback', id)).toEqual({ status: 200, id, body: '{"ok":true}' });
  });
});
