/**
 * Node's own errors (testkit's `NATIVE_VALUES`) and popular libraries' (`LIBRARY_VALUES`: HTTP
 * clients, ORMs, auth, Boom, cloud SDKs) through Fastify's failure styles: a sync throw,
 * an async rejection, `reply.send(err)`, an onRequest hook throwing, a preHandler rejecting, a
 * reply serializer throwing, a stream failing before its first byte, and a custom content-type
 * parser failing (Fastify's own body path). Each answer: the category's status with its generic
 * text, one UUID v4 id in header and body, nothing of the path, host, address, SQL, argv or
 * library text; the record under the id keeps the code and syscall, redacted; the server keeps
 * serving. One server.
 */
import { Readable } from 'node:stream';
import { createReporter, TAXONOMY } from '@faultline/core';
import {
  crashWatch,
  memoryLog,
  type NativeValue,
  nativeHttpProblems,
  prepareNativeValues,
  REAL_WORLD_CORPORA,
  REAL_WORLD_VALUES,
} from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

const STYLES = ['sync', 'async', 'reply-send', 'on-request', 'pre-handler', 'serializer', 'stream', 'parser'];
const log = memoryLog();
const watch = crashWatch();
let app: FastifyInstance;
let base = '';

const VALUES = REAL_WORLD_VALUES;
const nativeOf = (request: FastifyRequest) => VALUES[String(request.headers['x-native'])]?.make() as Error;

beforeAll(async () => {
  watch.start();
  await prepareNativeValues();
  app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
  await app.register(faultline, {
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  const ok = () => ({ ok: true });
  const throwing = (request: FastifyRequest) => {
    throw nativeOf(request);
  };
  app.addContentTypeParser('application/x-native', (request, _payload, done) => done(nativeOf(request)));
  app.post('/sync', throwing);
  app.post('/async', async (request) => {
    await new Promise((resolve) => setImmediate(resolve));
    throw nativeOf(request);
  });
  app.post('/reply-send', (request, reply) => {
    reply.send(nativeOf(request));
  });
  app.post('/on-request', { onRequest: throwing }, ok);
  app.post('/pre-handler', { preHandler: async (request: FastifyRequest) => Promise.reject(nativeOf(request)) }, ok);
  app.post('/serializer', (request, reply) => {
    reply.serializer(() => {
      throw nativeOf(request);
    });
    return { ok: true };
  });
  app.post('/stream', (request, reply) => {
    const stream = new Readable({ read: () => stream.destroy(nativeOf(request)) });
    reply.type('application/json').send(stream);
  });
  app.post('/parser', ok);
  app.post('/health', ok);
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  watch.stop();
  await app.close();
});

it.each(REAL_WORLD_CORPORA)(
  '%s in every Fastify style: status, generic text, one id, no leak, a full record',
  async (_t, values: Readonly<Record<string, NativeValue>>, forbidden: readonly string[]) => {
    const wrong: string[] = [];
    for (const [name, native] of Object.entries(values)) {
      const spec = TAXONOMY[native.category as keyof typeof TAXONOMY];
      for (const style of STYLES) {
        // `reply.send` of a value that is no Error (class-validator's array) sends it as data.
        if (style === 'reply-send' && !(native.make() instanceof Error)) continue;
        const response = await fetch(`${base}/${style}`, {
          method: 'POST',
          headers: { 'x-native': name, 'content-type': style === 'parser' ? 'application/x-native' : 'text/plain' },
          body: 'x',
        });
        const problems = await nativeHttpProblems(response, native, log.records, spec, forbidden);
        if (problems.length > 0) wrong.push(`${name} / ${style}: ${problems.join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(200);
    expect(watch.crashes).toEqual([]);
  },
);
