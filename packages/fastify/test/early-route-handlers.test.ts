/**
 * Handlers of routes registered before the plugin (early-handlers.ts): on the root, in a scope
 * loaded earlier, and right after an `app.register(faultline)` that was not awaited. The plugin's
 * `onRoute` hook never saw them, so their handlers ran as written: a request reaching the server
 * while it closed ran the handler (a route registered after the plugin answers 503), and with a
 * subscriber on Fastify's `tracing:fastify.request.handler` channels a Proxy or a throwing
 * `statusCode` getter thrown by the handler left the request unanswered. Each is now answered as
 * on a route registered after the plugin: the same 503, the same 500, in the same shape. Real
 * servers on 127.0.0.1 (port 0), node:http and undici fetch clients with bounded timeouts.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { Agent, request } from 'node:http';
import { createReporter } from '@faultline/core';
import { memoryLog, recordFor, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { expectNoSecrets } from './helpers.js';

const PROBLEM = 'application/problem+json; charset=utf-8';
const SECRET = 'postgres://app:hunter2@10.0.4.12/shop';

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** A GET on `agent` (one keep-alive socket), failing after 3 s instead of waiting. */
function get(port: number, agent: Agent, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(3000, () => req.destroy(new Error(`no answer to ${path} within 3 s`)));
    req.on('error', reject);
    req.end();
  });
}

describe.each([
  ['awaited', true],
  ['not awaited', false],
])('a request reaching a closing server (register %s)', (_label, awaited) => {
  /** A server with `/slow` (held open), and `/before`, `/v1/ok` and `/next` counting their calls. */
  async function serve() {
    const app = Fastify(faultlineServerOptions<RawServerDefault>()) as unknown as FastifyInstance;
    const calls = { handled: 0, entered: false, closing: false, release: () => {} };
    const count = async () => {
      calls.handled += 1;
      return { ok: true };
    };
    app.get(
      '/slow',
      () =>
        new Promise((resolve) => {
          calls.entered = true;
          calls.release = () => resolve({ done: true });
        }),
    );
    app.get('/before', count);
    app.register(
      async (child) => {
        child.get('/ok', count);
      },
      { prefix: '/v1' },
    );
    const registered = app.register(faultline, { reporter: false });
    if (awaited) await registered;
    // Registered after the call: before the plugin loaded when it was not awaited.
    app.get('/next', count);
    // Runs after the plugin's own preClose hook: the server answers as a closing one from here on.
    app.addHook('preClose', (done) => {
      calls.closing = true;
      done();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, calls, port: (app.server.address() as { port: number }).port };
  }

  it.each([
    ['/before', true],
    ['/before', false],
    ['/v1/ok', true],
    ['/v1/ok', false],
    ['/next', true],
    ['/next', false],
  ])('%s (served once before: %s) answers 503 problem JSON and its handler does not run', async (path, warm) => {
    const { app, calls, port } = await serve();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      if (warm) expect((await get(port, agent, path)).status).toBe(200);
      const slow = get(port, agent, '/slow');
      await until(() => calls.entered);
      const closing = app.close();
      await until(() => calls.closing);
      // Queued behind /slow on the same keep-alive socket: it reaches the server while it closes.
      const during = get(port, agent, path);
      calls.release();
      const [held, answered] = await Promise.allSettled([slow, during]);
      await closing;
      expect(held).toMatchObject({ status: 'fulfilled', value: { status: 200 } });
      expect(answered.status).toBe('fulfilled');
      const answer = (answered as PromiseFulfilledResult<Answer>).value;
      expect(answer.status).toBe(503);
      expect(answer.headers['content-type']).toBe(PROBLEM);
      expect(answer.headers['retry-after']).toBe('5');
      expect(answer.headers.connection).toBe('close');
      const body = JSON.parse(answer.body) as { code: string; status: number; request_id: string };
      expect([body.status, body.code]).toEqual([503, 'UNAVAILABLE']);
      expect(answer.headers['x-request-id']).toBe(body.request_id);
      // Only the request before the close reached a handler.
      expect(calls.handled).toBe(warm ? 1 : 0);
    } finally {
      agent.destroy();
      await app.close();
    }
  });
});

const hostile: Record<string, () => unknown> = {
  proxy: () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error(`trap ${SECRET}`);
        },
      },
    ),
  'status-getter': () =>
    Object.defineProperty(new Error(`getter ${SECRET}`), 'statusCode', {
      get() {
        throw new Error(`getter ran ${SECRET}`);
      },
    }),
  'symbol-status': () => Object.assign(new Error(`symbol ${SECRET}`), { status: Symbol('s') }),
};

describe.each([
  ['awaited', true],
  ['not awaited', false],
])("handlers with a subscriber on Fastify's handler channels (register %s)", (_label, awaited) => {
  const faults = memoryLog();
  const channels = tracingChannel('fastify.request.handler');
  /** The ids of the requests whose failure the subscriber saw. */
  const failed: unknown[] = [];
  const subscriber = {
    start() {},
    end() {},
    asyncStart() {},
    asyncEnd() {},
    error(message: unknown) {
      failed.push((message as { request?: { id?: unknown } }).request?.id);
    },
  };
  let app: FastifyInstance;
  let base = '';
  const seen = new Map<string, unknown[]>();

  /** Routes under `prefix` throwing each hostile value, synchronously and from an async handler. */
  function addRoutes(scope: FastifyInstance, prefix: string, label = prefix): void {
    for (const [name, value] of Object.entries(hostile)) {
      scope.get(`${prefix}/sync/${name}`, () => {
        throw value();
      });
      scope.get(`${prefix}/async/${name}`, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        throw value();
      });
    }
    scope.get(`${prefix}/ok`, (req) => {
      // The handler Fastify holds for the route, as each call sees it.
      const handlers = seen.get(label) ?? [];
      handlers.push(req.routeOptions.handler);
      seen.set(label, handlers);
      return { ok: true };
    });
  }

  beforeAll(async () => {
    channels.subscribe(subscriber);
    app = Fastify(faultlineServerOptions<RawServerDefault>()) as unknown as FastifyInstance;
    addRoutes(app, '/before');
    app.register(
      async (child) => {
        addRoutes(child, '/child', '/v1/child');
      },
      { prefix: '/v1' },
    );
    const registered = app.register(faultline, {
      reporter: createReporter({ logger: faults.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    if (awaited) await registered;
    addRoutes(app, '/next');
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    channels.unsubscribe(subscriber);
    await app.close();
  });

  const cases = ['/before', '/v1/child', '/next'].flatMap((prefix) =>
    ['sync', 'async'].flatMap((form) => Object.keys(hostile).map((name) => `${prefix}/${form}/${name}`)),
  );

  it.each(cases)('%s is answered 500 INTERNAL under its id, and recorded', async (path) => {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(3000) });
    const text = await response.text();
    expectNoSecrets(text, ['hunter2', '10.0.4.12', 'trap', 'getter']);
    const body = JSON.parse(text) as { status: number; code: string; request_id: string };
    expect([response.status, body.status, body.code]).toEqual([500, 500, 'INTERNAL']);
    expect(response.headers.get('content-type')).toBe(PROBLEM);
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
    await until(() => recordFor(faults.records, body.request_id) !== undefined);
    expect(recordFor(faults.records, body.request_id)).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(failed).toContain(body.request_id);
  });

  it.each(['/before', '/v1/child', '/next'])(
    '%s/ok still answers 200, with one handler from the first request on',
    async (prefix) => {
      for (let i = 0; i < 3; i += 1) {
        const response = await fetch(`${base}${prefix}/ok`, { signal: AbortSignal.timeout(3000) });
        expect([response.status, await response.json()]).toEqual([200, { ok: true }]);
      }
      const handlers = seen.get(prefix) ?? [];
      expect(handlers).toHaveLength(3);
      expect(new Set(handlers).size).toBe(1);
    },
  );
});
