/**
 * Routes registered before the plugin (the plugin's `onRoute` hook did not see them; their
 * handlers are guarded from each route's first request: early-handlers.ts): a failure after
 * `reply.hijack()` is answered and recorded as on a route registered after it, a rejection included (Fastify's "Promise errored, but reply.sent = true was set" line is
 * taken over at the hijack). On guarded routes too, that line, with the raw message and stack,
 * no longer reaches Fastify's log: the redacted record stands in for it. Real server on
 * 127.0.0.1, undici fetch, Fastify's logger captured in memory.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, recordFor, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { expectNoSecrets } from './helpers.js';

const SECRET = 'postgres://app:hunter2@10.0.4.12/shop';

const THROWN: Record<string, () => unknown> = {
  error: () => new Error(`handler secret ${SECRET}`),
  string: () => `handler secret ${SECRET}`,
  proxy: () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error(`trap ${SECRET}`);
        },
      },
    ),
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

/** Routes under `prefix` failing after a hijack: a sync throw, a rejection before and after an await. */
function addRoutes(app: FastifyInstance, prefix: string): void {
  for (const [name, thrown] of Object.entries(THROWN)) {
    app.get(`${prefix}/sync/${name}`, (_request, reply: FastifyReply) => {
      reply.hijack();
      throw thrown();
    });
    app.get(`${prefix}/async-now/${name}`, async (_request, reply: FastifyReply) => {
      reply.hijack();
      throw thrown();
    });
    app.get(`${prefix}/async-later/${name}`, async (_request, reply: FastifyReply) => {
      await tick();
      reply.hijack();
      await tick();
      throw thrown();
    });
  }
}

describe('a handler failing after reply.hijack(), on routes registered before and after the plugin', () => {
  const faults = memoryLog();
  const fastifyLog = memoryLog();
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    app = Fastify({
      ...faultlineServerOptions<RawServerDefault>(),
      loggerInstance: fastifyLog.logger,
    }) as unknown as FastifyInstance;
    addRoutes(app, '/before');
    await app.register(faultline, {
      reporter: createReporter({ logger: faults.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    addRoutes(app, '/after');
    app.get('/health', () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  const cases = ['/before', '/after'].flatMap((prefix) =>
    ['sync', 'async-now', 'async-later'].flatMap((form) =>
      Object.keys(THROWN).map((name) => `${prefix}/${form}/${name}`),
    ),
  );

  it.each(cases)('%s: answered, recorded once, nothing raw in Fastify log', async (path) => {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(3000) });
    const text = await response.text();
    expect(response.status).toBe(500);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body.code).toBe('INTERNAL');
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
    expectNoSecrets(`${text}\n${JSON.stringify([...response.headers])}`, ['hunter2', 'trap']);
    await until(() => recordFor(faults.records, body.request_id) !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(faults.records.filter((r) => r.request_id === body.request_id)).toHaveLength(1);
    const lines = JSON.stringify(fastifyLog.records.filter((r) => r.request_id === body.request_id));
    expect(lines).not.toContain('Promise errored');
    expect(lines).not.toContain('hunter2');
  });

  it('still serves', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
