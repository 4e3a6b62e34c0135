/**
 * An application's error handler in front of Faultline's (a scope's `setErrorHandler`, a route's
 * `errorHandler`), then an `onSend` hook failing on the error answer: Fastify calls the next
 * handler of the chain each time an answer fails, and Faultline's must be the last one reached,
 * never Fastify's default handler (which sent the hook's message as JSON, with the error's
 * `headers`). Over a real server, HTTP/1.1 (undici fetch) and h2c (node:http2).
 */
import { type ClientHttp2Session, connect } from 'node:http2';
import { createReporter, isUuid } from '@faultline/core';
import { memoryLog, recordFor } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doubleErrorHandler } from '../src/error-chain.js';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { type Answer, postJson, postJsonH2 } from './helpers.js';

const SECRET = 'hunter2-chain';
const FORBIDDEN = [SECRET, 'SELECT', '/srv/app', 'x-leak', 'set-cookie', 'stack'];

/** The error the scope's onSend hook throws on every error answer, with headers of its own. */
const hookError = () =>
  Object.assign(new Error(`onSend failed: SELECT * FROM sessions WHERE token='${SECRET}' at /srv/app/hook.js`), {
    headers: { 'x-leak': SECRET, 'set-cookie': `session=${SECRET}` },
  });

/** A scope whose onSend hook fails on error answers, with `route` added by `add`. */
async function failingScope(app: FastifyInstance, add: (scope: FastifyInstance) => void): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply) => {
      if (reply.statusCode >= 400) throw hookError();
    });
    add(scope);
  });
}

const routeError = () => new Error(`route failed: password=${SECRET}`);

async function build(http2: boolean, log: ReturnType<typeof memoryLog>): Promise<FastifyInstance> {
  const options = http2 ? ({ ...faultlineServerOptions(), http2: true } as object) : faultlineServerOptions();
  const app = Fastify(options) as unknown as FastifyInstance;
  await app.register(faultline, {
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  await failingScope(app, (scope) => {
    // What Faultline's bypass warning advises: hand the error back.
    scope.setErrorHandler((error, _request, reply) => {
      reply.send(error);
    });
    scope.post('/scope-send', () => {
      throw routeError();
    });
  });
  await failingScope(app, (scope) => {
    scope.setErrorHandler((error) => {
      throw error;
    });
    scope.post('/scope-rethrow', () => {
      throw routeError();
    });
  });
  await failingScope(app, (scope) => {
    // The application's own answer fails in the hook: Faultline answers, and that fails too.
    scope.setErrorHandler((_error, _request, reply) => {
      reply.code(409).send({ mine: SECRET });
    });
    scope.post('/scope-answers', () => {
      throw routeError();
    });
  });
  await failingScope(app, (scope) => {
    const errorHandler = (error: Error, _request: unknown, reply: FastifyReply) => {
      reply.send(error);
    };
    scope.post('/route-handler', { errorHandler }, () => {
      throw routeError();
    });
  });
  await app.register(async (scope) => {
    // Set after the scope's routes: Fastify applies it to them all the same.
    scope.post('/late-handler', () => {
      throw routeError();
    });
    scope.setErrorHandler((_error, _request, reply) => {
      reply.code(418).send({ mine: true });
    });
  });
  app.post('/health', () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

describe.each([
  ['HTTP/1.1', false],
  ['h2c', true],
])('error handlers in front of Faultline, failing onSend hooks, over %s', (_label, http2) => {
  const log = memoryLog();
  let app: FastifyInstance;
  let base = '';
  let session: ClientHttp2Session | undefined;

  beforeAll(async () => {
    app = await build(http2, log);
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    if (http2) session = connect(base);
  });
  afterAll(async () => {
    session?.close();
    await app.close();
  });

  const post = (path: string): Promise<Answer> =>
    session === undefined ? postJson(`${base}${path}`, {}) : postJsonH2(session, path, {});

  it.each(['/scope-send', '/scope-rethrow', '/scope-answers', '/route-handler'])(
    '%s: 500 problem JSON with the id, nothing of the hook error, both failures recorded',
    async (path) => {
      const answer = await post(path);
      expect(answer.status).toBe(500);
      expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const body = JSON.parse(answer.body) as { code: string; request_id: string };
      expect(body.code).toBe('INTERNAL');
      expect(isUuid(body.request_id)).toBe(true);
      expect(answer.headers['x-request-id']).toBe(body.request_id);
      const wire = `${JSON.stringify(answer.headers)}\n${answer.body}`.toLowerCase();
      for (const forbidden of FORBIDDEN) expect(wire).not.toContain(forbidden.toLowerCase());
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(recordFor(log.records, body.request_id)).toMatchObject({ code: 'INTERNAL', status: 500 });
      const failures = log.records.filter((r) => r.request_id === body.request_id).map((r) => JSON.stringify(r.error));
      expect(failures.some((text) => text.includes('onSend failed'))).toBe(true);
    },
  );

  it("a scope's setErrorHandler called after its routes answers them, as Fastify intends", async () => {
    const answer = await post('/late-handler');
    expect(answer.status).toBe(418);
    expect(JSON.parse(answer.body)).toEqual({ mine: true });
  });

  it('still serves', async () => {
    expect((await post('/health')).status).toBe(200);
  });
});

describe('doubleErrorHandler', () => {
  it("leaves an object without Fastify's handler chain as it is", () => {
    const plain = { errorHandler: 1 };
    expect(doubleErrorHandler(plain)).toBe(false);
    expect(plain).toEqual({ errorHandler: 1 });
  });

  it('keeps the scope handler Fastify reports (the same function, one link deeper)', async () => {
    const app = Fastify();
    const handler = () => undefined;
    app.setErrorHandler(handler);
    const before = app.errorHandler;
    expect(doubleErrorHandler(app)).toBe(true);
    expect(app.errorHandler).toBe(before);
    await app.close();
  });
});
