/**
 * Red team (attacker's audit): testkit's extreme hostile values (`EXTREME_VALUES`) through
 * Fastify's failure styles: sync throw, async reject, `reply.send(err)`,
 * onRequest/preHandler/preSerialization/onSend hooks, a throwing serializer, and a reply stream
 * that fails mid-way. Wired as the README shows (`faultlineServerOptions()`, the plugin registered
 * before the routes). Each answer: an expected status, problem JSON with a generic message and a
 * UUID v4 id equal to X-Request-ID, nothing of the value; the record under that id exists, bounded
 * and redacted; the server keeps serving. Real server on 127.0.0.1 port 0, undici fetch and
 * node:http clients, bounded timeouts.
 */
import { createReporter, TAXONOMY } from '@faultline/core';
import {
  crashWatch,
  EXTREME_VALUES,
  extremeLeaks,
  httpAnswerProblems,
  httpGetUntilCut,
  MIDWAY_CHUNK,
  makeExtreme,
  memoryLog,
  problemsByStyle,
  recordFor,
  recordProblems,
  streamFailingMidway,
  UUID_V4,
  until,
} from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { postJson } from './helpers.js';

const STYLES = [
  'sync',
  'async',
  'reply-send',
  'on-request',
  'pre-handler',
  'pre-serialization',
  'on-send',
  'serializer',
] as const;
/** Values that are real Errors, the only ones `reply.send` treats as an error. */
const SENDABLE = new Set([
  'cycle-a-b-a',
  'aggregate-100k',
  'chain-10k',
  'message-50mb',
  'code-50mb',
  'frozen-error',
  'sealed-error',
  'subclass-name',
  'pg-shaped',
  'prisma-shaped',
  'mongo-shaped',
  'axios-shaped',
  'shifting-getters',
]);
const genericMessage = (status: number) => Object.values(TAXONOMY).find((spec) => spec.http === status)?.message;

const log = memoryLog();
const watch = crashWatch();
let app: FastifyInstance;
let base = '';
let port = 0;

const hostileOf = (request: FastifyRequest) => makeExtreme(String(request.headers['x-value']));

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
  app.post('/sync', throwing);
  app.post('/async', async (request) => {
    await new Promise((resolve) => setImmediate(resolve));
    throw hostileOf(request);
  });
  app.post('/reply-send', (request, reply) => {
    reply.send(hostileOf(request) as Error);
  });
  app.post('/on-request', { onRequest: throwing }, ok);
  app.post('/pre-handler', { preHandler: async (request: FastifyRequest) => Promise.reject(hostileOf(request)) }, ok);
  app.post('/pre-serialization', { preSerialization: throwing }, ok);
  app.post(
    '/on-send',
    {
      onSend: (async (request: FastifyRequest, reply: { statusCode: number }, payload: unknown) => {
        if (reply.statusCode < 400) throw hostileOf(request);
        return payload;
      }) as never,
    },
    ok,
  );
  app.post('/serializer', (request, reply) => {
    reply.serializer(() => {
      throw hostileOf(request);
    });
    return { ok: true };
  });
  // A stream that sends one chunk, then fails with the value: the headers (and the id) have left.
  app.get('/stream-midway', (request, reply) => {
    const stream = streamFailingMidway((self) => {
      const value = hostileOf(request);
      try {
        self.destroy(value as Error);
      } catch {
        self.emit('error', value);
      }
    });
    reply.type('application/json').send(stream);
  });
  app.post('/health', ok);
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  watch.stop();
  await app.close();
});

describe('extreme hostile values through Fastify failure styles', () => {
  it.each(Object.entries(EXTREME_VALUES))('%s', { timeout: 60_000 }, async (name, { statuses }) => {
    const styles = STYLES.filter((style) => style !== 'reply-send' || SENDABLE.has(name));
    const wrong = await problemsByStyle(styles, async (style) => {
      const answer = await postJson(`${base}/${style}`, { a: 1 }, { 'x-value': name }, 10_000);
      await until(() => recordFor(log.records, answer.headers['x-request-id']) !== undefined);
      return httpAnswerProblems(answer, statuses, log.records, genericMessage);
    });
    const health = await postJson(`${base}/health`, {}, {}, 5000);
    expect(health.status).toBe(200);
    expect(wrong).toEqual([]);
    expect(watch.crashes).toEqual([]);
  });
});

describe('a reply stream that fails mid-way with an extreme value', () => {
  it.each(Object.keys(EXTREME_VALUES))('%s', { timeout: 60_000 }, async (name) => {
    const { headers, body } = await httpGetUntilCut(port, '/stream-midway', { 'x-value': name });
    const id = String(headers['x-request-id']);
    expect(id).toMatch(UUID_V4);
    expect(extremeLeaks(`${JSON.stringify(headers)}\n${body}`)).toEqual([]);
    expect(body.startsWith(MIDWAY_CHUNK)).toBe(true);
    await until(() => recordFor(log.records, id) !== undefined);
    expect(recordProblems(log.records, id)).toEqual([]);
    expect((await postJson(`${base}/health`, {}, {}, 5000)).status).toBe(200);
    expect(watch.crashes).toEqual([]);
  });
});
