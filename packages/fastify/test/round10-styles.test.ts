/**
 * Round 10: the hostile values of testkit's `round10-http.ts` through every failure style of Fastify, on
 * a real server wired as the README shows, read with node:http (raw header lines): a sync throw
 * and an async rejection in the handler; `reply.send(err)`; a sync throw in `onRequest`, `done(v)`
 * there, async throws in `preParsing`, `preValidation`, `preHandler`, `preSerialization` and
 * `onSend`; an `onError` hook that throws the value; a content-type parser calling back with it or
 * rejecting with it; a route serializer throwing it; the application's `setErrorHandler` and a
 * scope's rethrowing it; an application not-found handler throwing it; a stream failing with it
 * before the head; a handler throwing it after `reply.hijack()`; and `onResponse` throwing it
 * after the answer. Each answer: the value's status, a stable code, the generic message, one
 * UUID v4 id in header and body, nothing of the value (no SQL, host, cookie, redirect), exactly
 * one record under the id; the server keeps serving; no uncaught exception or unhandled rejection.
 */
import { Readable } from 'node:stream';
import { createReporter } from '@faultline/core';
import {
  crashWatch,
  memoryLog,
  ROUND10_HTTP_NAMES,
  ROUND10_HTTP_VALUES,
  round10HttpAt,
  round10HttpLeaks,
  until,
} from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { answerProblems, recordsOf, send } from './round10-check.js';

/** Styles where the value goes to a callback (`null`/`undefined` there mean success). */
const CALLBACK = new Set(['on-request-done', 'parser']);
/** Styles that take only an Error (anything else is a payload): other values go as a cause. */
const ERROR_ONLY = new Set(['reply-send']);
/**
 * Styles with two faults, each recorded under the id: the route's plain Error (which sets the
 * answer, 500) and the `onError` hook's value.
 */
const TWO_FAULTS = new Set(['on-error']);
const STYLES = [
  'sync',
  'async',
  'reply-send',
  'on-request-sync',
  'on-request-done',
  'pre-parsing',
  'pre-validation',
  'pre-handler',
  'pre-serialization',
  'on-send',
  'on-error',
  'parser',
  'parser-async',
  'serializer',
  'app-handler',
  'scope-rethrow',
  'not-found',
  'stream',
  'hijack',
];

const log = memoryLog();
const watch = crashWatch();
let app: FastifyInstance;
let port = 0;

const hostileOf = (request: FastifyRequest) => round10HttpAt(request.headers['x-value']);
/** `value instanceof Error`, false where asking throws (a revoked Proxy). */
const isError = (value: unknown) => {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
};
const asError = (value: unknown) => (isError(value) ? value : Object.assign(new Error('wrapped'), { cause: value }));
const tick = () => new Promise((resolve) => setImmediate(resolve));

beforeAll(async () => {
  watch.start();
  app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
  await app.register(faultline, {
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  const ok = () => ({ ok: true });
  const throwing = (request: FastifyRequest) => {
    throw hostileOf(request);
  };
  const rejecting = async (request: FastifyRequest) => {
    await tick();
    throw hostileOf(request);
  };
  app.post('/sync', throwing);
  app.post('/async', rejecting);
  app.post('/reply-send', (request, reply) => {
    reply.send(asError(hostileOf(request)));
  });
  app.post('/on-request-sync', { onRequest: throwing as never }, ok);
  app.post('/on-request-done', { onRequest: (request, _reply, done) => done(hostileOf(request) as Error) }, ok);
  for (const hook of ['preParsing', 'preValidation', 'preHandler', 'preSerialization'] as const) {
    const path = `/${hook.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    app.post(path, { [hook]: rejecting }, ok);
  }
  // Fails on the route's answer only: on Faultline's error answer too would be a second fault.
  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode < 400) await rejecting(request);
    return payload;
  };
  app.post('/on-send', { onSend: onSend as never }, ok);
  app.post(
    '/on-error',
    {
      onError: (async (request: FastifyRequest) => {
        throw hostileOf(request);
      }) as never,
    },
    () => {
      throw new Error('the route failed first');
    },
  );
  app.addContentTypeParser('application/x-done', (request, _payload, done) => done(hostileOf(request) as Error));
  app.addContentTypeParser('application/x-async', rejecting);
  app.post('/parser', ok);
  app.post('/parser-async', ok);
  app.post('/serializer', (request, reply) => {
    reply.serializer(() => {
      throw hostileOf(request);
    });
    return { ok: true };
  });
  app.post('/stream', (request, reply) => {
    const value = hostileOf(request);
    const stream = new Readable({
      read() {
        this.destroy(value as Error);
      },
    });
    reply.type('application/octet-stream').send(stream);
  });
  app.post('/hijack', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    await tick();
    throw hostileOf(request);
  });
  app.post('/health', ok);
  app.post('/on-response', { onResponse: rejecting }, ok);
  await app.register(async (scope) => {
    scope.setErrorHandler((error) => {
      throw error;
    });
    scope.post('/scope-rethrow', rejecting);
  });
  await app.register(
    async (scope) => {
      scope.setNotFoundHandler(throwing);
    },
    { prefix: '/not-found' },
  );
  await app.register(async (scope) => {
    scope.setErrorHandler(async (_error, request) => {
      throw hostileOf(request);
    });
    scope.post('/app-handler', () => {
      throw new Error('the route failed first');
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  watch.stop();
  await app.close();
});

const contentType = (style: string) =>
  style === 'parser' ? 'application/x-done' : style === 'parser-async' ? 'application/x-async' : 'application/json';
const pathOf = (style: string) => (style === 'not-found' ? '/not-found/nowhere' : `/${style}`);

describe('round 10 hostile values through every Fastify failure style', () => {
  it.each(ROUND10_HTTP_NAMES.map((name, index) => [name, index] as const))(
    '%s',
    { timeout: 60_000 },
    async (name, index) => {
      const { status, make } = ROUND10_HTTP_VALUES[name] as { status: number; make: () => unknown };
      const nothing = make() == null;
      const sendable = isError(make());
      const wrong: string[] = [];
      for (const style of STYLES) {
        if (nothing && CALLBACK.has(style)) continue;
        const plain = (ERROR_ONLY.has(style) && !sendable) || TWO_FAULTS.has(style);
        const expected = plain ? 500 : status;
        try {
          const answer = await send(
            port,
            'POST',
            pathOf(style),
            { 'x-value': String(index), 'content-type': contentType(style) },
            '{"a":1}',
          );
          await until(() => recordsOf(log.records, answer.headers['x-request-id']).length > 0, 2000);
          await tick();
          const problems = answerProblems(answer, expected, log.records, TWO_FAULTS.has(style) ? 2 : 1);
          if (problems.length > 0) wrong.push(`${style}: ${problems.join(', ')}`);
        } catch (error) {
          wrong.push(`${style}: no answer (${(error as Error).message})`);
        }
      }
      expect(wrong).toEqual([]);
      expect((await send(port, 'POST', '/health', { 'content-type': 'application/json' }, '{}')).status).toBe(200);
      expect(watch.crashes).toEqual([]);
    },
  );

  it.each(ROUND10_HTTP_NAMES.map((name, index) => [name, index] as const))(
    'onResponse throwing %s after a 200: one clean record under the id',
    async (_name, index) => {
      const answer = await send(
        port,
        'POST',
        '/on-response',
        { 'x-value': String(index), 'content-type': 'application/json' },
        '{}',
      );
      expect(answer.status).toBe(200);
      expect(round10HttpLeaks(answer.lines.join('\n') + answer.body)).toEqual([]);
      const id = answer.headers['x-request-id'];
      await until(() => recordsOf(log.records, id).length > 0, 5000);
      await tick();
      expect(recordsOf(log.records, id)).toHaveLength(1);
      expect(watch.crashes).toEqual([]);
    },
  );
});
