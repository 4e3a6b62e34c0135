/**
 * A handler that fails after its reply was sent, on a server without a logger (Fastify's default):
 * Fastify dropped a rejection after `reply.send` and lost a sync throw after it (only an "already
 * sent" warning, to no logger). The sync throw, and a promise still pending when the handler
 * returned on a sent reply (at once, after an await, and returned as Fastify advises), are now
 * recorded once, redacted, under the `x-request-id` the client got, and the answer stands. An
 * async handler that sends only after an await and then rejects (Fastify's "Promise errored" line,
 * which its no-op logger dropped) is recorded once, redacted, under an id of its own: that logger
 * binds no request id (late-log.ts). The server's no-op logger, its own object, carries no request,
 * and another server's is untouched. Real server on 127.0.0.1, undici fetch.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { addHookRoute, addLateRoutes, LATE_AFTER_AWAIT, LATE_ROUTES, LATE_SECRETS } from './late-routes.js';

describe('a failure after the reply was sent, without a logger', () => {
  const faults = memoryLog();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
    // A route registered before the plugin: its handler is guarded at its first request, and
    // Fastify calls it on the route's context, not on the server.
    app.get('/early/await-send-throw', LATE_AFTER_AWAIT['await-send-throw'] as never);
    await app.register(faultline, {
      reporter: createReporter({ logger: faults.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    addLateRoutes(app, LATE_ROUTES);
    addLateRoutes(app, LATE_AFTER_AWAIT);
    addHookRoute(app);
    app.get('/ok', () => ({ fine: true }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await app.close();
  });

  /** GETs `/late/<name>`: the answer must be the route's own 200; returns its id. */
  async function answerOf(name: string): Promise<string> {
    const response = await fetch(`${base}/late/${name}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    return response.headers.get('x-request-id') ?? '';
  }

  it.each([...Object.keys(LATE_ROUTES), 'hook-later'])(
    '%s: the answer stands, one redacted record under its id',
    async (name) => {
      const id = await answerOf(name);
      expect(id).not.toBe('');
      await until(() => faults.records.some((r) => r.request_id === id));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const mine = faults.records.filter((r) => r.request_id === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ status: 500, code: 'INTERNAL' });
      for (const secret of LATE_SECRETS) expect(JSON.stringify(faults.records)).not.toContain(secret);
      expect(unhandled).toEqual([]);
      expect((await fetch(`${base}/ok`)).status).toBe(200);
    },
  );

  /** The records of a failure planted at `where` (see `lateFailure`). */
  const recordsOf = (where: string) => faults.records.filter((r) => JSON.stringify(r).includes(`late ${where} `));

  /** One more record of `where` than `before`, within a moment: returned, checked redacted. */
  async function oneMoreRecord(where: string, before: number, clientId: string): Promise<void> {
    await until(() => recordsOf(where).length > before);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const mine = recordsOf(where).slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 500, code: 'INTERNAL' });
    // Fastify's no-op logger binds no request id: an id of its own, never another request's.
    expect(mine[0]?.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(mine[0]?.request_id).not.toBe(clientId);
    for (const secret of LATE_SECRETS) expect(JSON.stringify(faults.records)).not.toContain(secret);
  }

  it.each(Object.keys(LATE_AFTER_AWAIT))('%s: the answer stands, recorded once, redacted; served on', async (name) => {
    const before = recordsOf(name).length;
    const id = await answerOf(name);
    await oneMoreRecord(name, before, id);
    expect(unhandled).toEqual([]);
    expect((await fetch(`${base}/ok`)).status).toBe(200);
  });

  it("an early route's late failure is recorded; the server's no-op logger carries no request, another server's is untouched", async () => {
    const before = recordsOf('await-send-throw').length;
    const response = await fetch(`${base}/early/await-send-throw`);
    expect(response.status).toBe(200);
    await response.text();
    await oneMoreRecord('await-send-throw', before, response.headers.get('x-request-id') ?? '');
    // Without a logger every request shares the server's logger: it must never carry a request.
    expect(Object.getOwnPropertySymbols(app.log)).toEqual([]);
    expect(Object.keys(app.log).sort()).toEqual(['child', 'error']);
    // Fastify's no-op loggers share one prototype: left as it is, as another server's logger.
    const other = Fastify();
    const shared = Object.getPrototypeOf(other.log) as { error: () => void };
    expect(shared).toBe(Object.getPrototypeOf(app.log));
    expect(Object.hasOwn(other.log, 'error')).toBe(false);
    expect(shared.error.name).toBe('noop');
    await other.close();
  });
});
