/**
 * A handler that fails after its reply was sent, on a server with a logger (Fastify makes a child
 * logger per request): a sync throw after `reply.send` (Fastify only warned "already sent": the
 * error was lost), a rejection after it, at once or after an await (Fastify logged "Promise
 * errored, but reply.sent = true was set" with the raw message and stack), also on a route
 * registered before the plugin, and a preHandler hook that answers and then rejects (dropped).
 * Each is recorded once, redacted, under the `x-request-id` the client got; the client's answer is
 * whole; Fastify's lines for the request hold no secret; the server keeps serving. So is an async
 * handler that sends only after an await and then rejects (its line caught on the server's logger:
 * late-log.ts, late-log.test.ts). Real server on 127.0.0.1, undici fetch.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import {
  addHookRoute,
  addLateRoutes,
  addStreamRoute,
  LATE_AFTER_AWAIT,
  LATE_ROUTES,
  LATE_SECRETS,
} from './late-routes.js';

describe('a failure after the reply was sent, with a logger', () => {
  const faults = memoryLog();
  const fastifyLog = memoryLog();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    app = Fastify({ ...faultlineServerOptions(), loggerInstance: fastifyLog.logger }) as unknown as FastifyInstance;
    // Registered before the plugin: guarded at its first request, called on its route context.
    app.get('/late/early-sync-throw', LATE_ROUTES['sync-throw'] as never);
    app.get('/late/early-async-later', LATE_ROUTES['async-later'] as never);
    await app.register(faultline, {
      reporter: createReporter({ logger: faults.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    addLateRoutes(app, LATE_ROUTES);
    addLateRoutes(app, LATE_AFTER_AWAIT);
    addStreamRoute(app);
    addHookRoute(app);
    app.get('/ok', () => ({ fine: true }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await app.close();
  });

  it.each([
    ...Object.keys(LATE_ROUTES),
    ...Object.keys(LATE_AFTER_AWAIT),
    'hook-later',
    'early-sync-throw',
    'early-async-later',
  ])('%s: the answer stands, one redacted record under its id, no raw log line', async (name) => {
    const response = await fetch(`${base}/late/${name}`);
    const id = response.headers.get('x-request-id') ?? '';
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(id).not.toBe('');
    await until(() => faults.records.some((r) => r.request_id === id));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const mine = faults.records.filter((r) => r.request_id === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 500, code: 'INTERNAL' });
    const itsLines = fastifyLog.records.filter((r) => r.request_id === id);
    const written = JSON.stringify([mine, itsLines]);
    for (const secret of LATE_SECRETS) expect(written).not.toContain(secret);
    expect(itsLines.some((r) => r.msg === 'Promise errored, but reply.sent = true was set')).toBe(false);
    expect(unhandled).toEqual([]);
    expect((await fetch(`${base}/ok`)).status).toBe(200);
  });

  it('a throw while a streamed body still flows: answered and recorded once, as before', async () => {
    const response = await fetch(`${base}/late/stream-throw`);
    const id = response.headers.get('x-request-id') ?? '';
    await response.text().catch(() => '');
    await until(() => faults.records.some((r) => r.request_id === id));
    expect(faults.records.filter((r) => r.request_id === id)).toHaveLength(1);
    const itsLines = fastifyLog.records.filter((r) => r.request_id === id);
    expect(JSON.stringify(itsLines)).not.toContain('hunter2');
  });
});
