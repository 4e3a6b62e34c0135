/**
 * An async handler that sends only after an `await` and then rejects: nothing at its return tells
 * that it will send, and Fastify logged the rejection raw ("Promise errored, but reply.sent = true
 * was set", with the message, stack and own properties). The server's logger now hands that line
 * to Faultline (late-log.ts): recorded once, redacted, under the `x-request-id` the client got, and
 * a line without the error in its place. Covered: a route's own `logLevel` (children with level
 * methods of their own), the server's level changed at runtime, an encapsulated plugin with its
 * own `logLevel` and `childLoggerFactory`, the application's `loggerInstance` (left as it is, and
 * a second server sharing it without the plugin still logs Fastify's line), a logger Fastify made
 * from `logger` options with records going through it, and the application's other `error` lines,
 * untouched. Real pino writing to
 * a stream read back, real servers on 127.0.0.1, undici fetch.
 */
import { Writable } from 'node:stream';
import { createReporter } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

const PROMISE_ERRORED = 'Promise errored, but reply.sent = true was set';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
/** Secrets no log line may hold (a record keeps the SQL and the path, redacted of the rest). */
const SECRETS = ['hunter2', JWT, 's3cr3tpw'];
/** What the raw line carried: none of it may reach the application's log. */
const RAW = [...SECRETS, 'SELECT card FROM payments', '/srv/app/src/orders.ts', 'late after the answer'];

/** A failure holding a DB password, a JWT, SQL and a path, in its message and own properties. */
function lateFailure(): Error {
  return Object.assign(
    new Error(
      `late after the answer: postgres://app:hunter2@db.internal/shop token=${JWT} ` +
        'SELECT card FROM payments WHERE id = 7 at /srv/app/src/orders.ts:41',
    ),
    { password: 's3cr3tpw', query: 'SELECT card FROM payments' },
  );
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const ANSWER = { ok: true };

/** Sends after an await, then fails after another (the follow-up work rejects). */
async function sendThenFail(_request: unknown, reply: FastifyReply): Promise<void> {
  await tick();
  reply.send(ANSWER);
  await tick();
  throw lateFailure();
}

describe("a handler rejecting after an await and a late send: Fastify's raw line", () => {
  const appLog = memoryLog(); // the application's logger instance: Fastify logs through a child of it
  const faults = memoryLog();
  const ownLog = { records: [] as Record<string, unknown>[] }; // a server whose faults go to its own logger
  const ownStream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line !== '') ownLog.records.push(JSON.parse(line));
      callback();
    },
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let app: FastifyInstance;
  let bare: FastifyInstance; // shares the application's logger instance, without Faultline
  let own: FastifyInstance;
  let base = '';

  async function start(server: FastifyInstance): Promise<string> {
    return server.listen({ port: 0, host: '127.0.0.1' });
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    app = Fastify({ ...faultlineServerOptions(), loggerInstance: appLog.logger }) as unknown as FastifyInstance;
    await app.register(faultline, {
      reporter: createReporter({ logger: faults.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    app.get('/late', sendThenFail);
    app.get('/late/warn', { logLevel: 'warn' }, sendThenFail);
    app.get('/late/fatal', { logLevel: 'fatal' }, sendThenFail);
    await app.register(
      async (scope) => {
        scope.setChildLoggerFactory((logger, bindings, options) =>
          logger.child({ ...bindings, scope: 'orders' }, options),
        );
        scope.get('/late', sendThenFail);
      },
      { prefix: '/scoped', logLevel: 'error' },
    );
    app.get('/app-error', (request) => {
      request.log.error({ err: new Error('visible app failure') }, 'the application logs this');
      request.log.error({ err: new Error('an error of its own') }, PROMISE_ERRORED.toUpperCase());
      return ANSWER;
    });
    app.get('/ok', () => ANSWER);
    base = await start(app);

    bare = Fastify({ ...faultlineServerOptions(), loggerInstance: appLog.logger }) as unknown as FastifyInstance;
    bare.get('/late', sendThenFail);
    // `logger` options: Fastify makes a pino logger of its own (level methods its own), as with `logger: true`.
    own = Fastify({
      ...faultlineServerOptions(),
      logger: { level: 'info', stream: ownStream },
    }) as unknown as FastifyInstance;
    await own.register(faultline);
    own.get('/late', sendThenFail);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all([app.close(), bare.close(), own.close()]);
  });

  /** GETs `url`: the answer must be the handler's own 200; returns the id the client got. */
  async function answerOf(url: string): Promise<string> {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(ANSWER);
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    return id;
  }

  /** Waits for `id`'s fault record and a little more (a second one would show), then checks them. */
  async function recordedOnce(id: string): Promise<Record<string, unknown>> {
    await until(() => faults.records.some((r) => r.request_id === id));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const mine = faults.records.filter((r) => r.request_id === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 500, code: 'INTERNAL' });
    const written = JSON.stringify(mine);
    for (const secret of SECRETS) expect(written).not.toContain(secret);
    expect(written).toContain('late after the answer'); // the detail is there, redacted
    return mine[0] as Record<string, unknown>;
  }

  /** The application's lines for `id`: none raw, one safe line in place of Fastify's. */
  function safeLinesOnly(id: string): void {
    const lines = appLog.records.filter((r) => r.request_id === id);
    const written = JSON.stringify(lines);
    for (const raw of RAW) expect(written).not.toContain(raw);
    expect(lines.filter((r) => r.msg === PROMISE_ERRORED)).toEqual([]);
    const safe = lines.filter((r) => String(r.msg).startsWith(`${PROMISE_ERRORED}: recorded by Faultline`));
    expect(safe).toHaveLength(1);
    expect(safe[0]?.faultline).toEqual({ code: 'INTERNAL', request_id: id });
  }

  async function servesOn(): Promise<void> {
    expect(unhandled).toEqual([]);
    expect((await fetch(`${base}/ok`)).status).toBe(200);
  }

  it.each([
    ['a route', '/late'],
    ["a route with its own logLevel 'warn' (children with level methods of their own)", '/late/warn'],
    ["a route with its own logLevel 'fatal' (error lines off: the fault is still recorded)", '/late/fatal'],
    ["an encapsulated plugin's route, with its own logLevel and childLoggerFactory", '/scoped/late'],
  ])('%s: recorded once under the id the client got, redacted; no raw line; served on', async (_name, path) => {
    const id = await answerOf(`${base}${path}`);
    await recordedOnce(id);
    const lines = appLog.records.filter((r) => r.request_id === id);
    for (const raw of RAW) expect(JSON.stringify(lines)).not.toContain(raw);
    expect(lines.filter((r) => r.msg === PROMISE_ERRORED)).toEqual([]);
    if (path !== '/late/fatal') safeLinesOnly(id);
    if (path === '/scoped/late') expect(lines.every((r) => r.scope === 'orders')).toBe(true);
    await servesOn();
  });

  it("the server's level changed at runtime (pino reinstalls its methods): still caught, and the level holds", async () => {
    app.log.level = 'warn';
    try {
      const id = await answerOf(`${base}/late`);
      await recordedOnce(id);
      safeLinesOnly(id);
      expect(appLog.records.some((r) => r.request_id === id && r.msg === 'incoming request')).toBe(false);
    } finally {
      app.log.level = 'info';
    }
    const id = await answerOf(`${base}/late`);
    await recordedOnce(id);
    safeLinesOnly(id);
    expect(appLog.records.some((r) => r.request_id === id && r.msg === 'incoming request')).toBe(true);
    await servesOn();
  });

  it("the application's other error lines are written as they were, error included", async () => {
    const id = await answerOf(`${base}/app-error`);
    await until(() => appLog.records.filter((r) => r.request_id === id && r.level === 50).length === 2);
    const lines = appLog.records.filter((r) => r.request_id === id && r.level === 50);
    expect(lines.map((r) => r.msg)).toEqual(['the application logs this', PROMISE_ERRORED.toUpperCase()]);
    expect(lines.map((r) => (r.err as { message?: string }).message)).toEqual([
      'visible app failure',
      'an error of its own',
    ]);
    expect(faults.records.filter((r) => r.request_id === id)).toEqual([]);
  });

  it("the application's logger instance is left as it is: a server sharing it without Faultline logs Fastify's line", async () => {
    expect(Object.hasOwn(appLog.logger, 'error')).toBe(true); // pino's own, not Faultline's
    expect(appLog.logger.error.name).not.toBe('errorOrLateRejection');
    const bareBase = await start(bare);
    const response = await fetch(`${bareBase}/late`);
    expect(response.status).toBe(200);
    await response.text();
    await until(() => appLog.records.some((r) => r.msg === PROMISE_ERRORED));
    const raw = appLog.records.find((r) => r.msg === PROMISE_ERRORED);
    expect(JSON.stringify(raw?.err)).toContain('late after the answer');
  });

  it("a logger Fastify made, records going to it: the record is the only line, under the client's id", async () => {
    const ownBase = await start(own);
    const id = await answerOf(`${ownBase}/late`);
    await until(() => ownLog.records.some((r) => r.request_id === id && r.code === 'INTERNAL'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const lines = ownLog.records.filter((r) => r.request_id === id);
    expect(lines.filter((r) => r.code === 'INTERNAL')).toHaveLength(1);
    expect(lines.filter((r) => String(r.msg).startsWith(PROMISE_ERRORED))).toEqual([]);
    for (const secret of SECRETS) expect(JSON.stringify(lines)).not.toContain(secret);
    expect(unhandled).toEqual([]);
  });
});
