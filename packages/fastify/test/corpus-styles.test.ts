/**
 * The adversarial corpus through the Fastify failure styles that `corpus.test.ts` does not cover,
 * over a real server, with undici fetch over HTTP/1.1 and node:http2 over h2c: a value passed to `reply.send` (Errors only: Fastify sends
 * any other value as the payload), to an `onRequest` hook's `done`, thrown from async `onRequest`,
 * `preParsing`, `preValidation` and `preSerialization` hooks, from an `onSend` hook, from a
 * content-type parser, rethrown by a scope's or a route's own error handler or handed back by a
 * scope's handler with `reply.send(error)`, and a reply stream that fails before its first byte. Each answer has the case's status and code, no forbidden substring in
 * the status line, headers or body, a UUID v4 id equal in header and body and present in the
 * log, and the server still answers afterwards.
 */
import { type ClientHttp2Session, connect } from 'node:http2';
import { Readable } from 'node:stream';
import { type Category, createReporter, TAXONOMY } from '@faultline/core';
import { CORPUS, type CorpusCase, leaksIn, memoryLog } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { type Answer, postJson, postJsonH2 } from './helpers.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const STYLES = [
  'reply-send',
  'on-request-done',
  'on-request-async',
  'pre-parsing',
  'pre-validation',
  'pre-serialization',
  'on-send',
  'parser',
  'scope-rethrow',
  'scope-send',
  'route-rethrow',
  'stream',
] as const;
type Style = (typeof STYLES)[number];
/**
 * Styles that fail before the body is parsed: a validation error there cannot be shown to be
 * about the request's input, so it is the server's own (internal), not the client's.
 */
const BEFORE_BODY: ReadonlySet<Style> = new Set(['on-request-done', 'on-request-async', 'pre-parsing', 'parser']);
/** Styles handing the value to a callback, where `null` and `undefined` mean success. */
const CALLBACK: ReadonlySet<Style> = new Set(['on-request-done', 'parser']);

const make = (index: unknown) => (CORPUS[Number(index)] as CorpusCase).make();
/** The corpus index of a request, from its `x-case` header. */
const caseOf = (headers: Record<string, unknown>) => headers['x-case'];

async function build(log: ReturnType<typeof memoryLog>, http2: boolean): Promise<FastifyInstance> {
  const options = http2 ? ({ ...faultlineServerOptions(), http2: true } as object) : faultlineServerOptions();
  const app = Fastify(options) as unknown as FastifyInstance;
  await app.register(faultline, {
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  app.post('/reply-send', (request, reply) => {
    const value = make(caseOf(request.headers));
    // Fastify takes only an Error as an error here; other values would be the payload.
    reply.send(value instanceof Error ? value : Object.assign(new Error('wrapped'), { cause: value }));
  });
  // Whatever was thrown, handed to `done` as it is (its type says Error; applications pass anything).
  app.post(
    '/on-request-done',
    { onRequest: (request, _reply, done) => done(make(caseOf(request.headers)) as Error) },
    () => 1,
  );
  // Each hook throws asynchronously; the handler answers only if its hook let the request through.
  const hooks = [
    ['/on-request-async', 'onRequest'],
    ['/pre-parsing', 'preParsing'],
    ['/pre-validation', 'preValidation'],
    ['/pre-serialization', 'preSerialization'],
    ['/on-send', 'onSend'],
  ] as const;
  for (const [path, hook] of hooks) {
    const throwing = async (request: FastifyRequest) => {
      throw make(caseOf(request.headers));
    };
    app.post(path, { [hook]: throwing }, () => ({ ok: true }));
  }
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-hostile', (request, _payload, done) => {
      done(make(caseOf(request.headers)) as Error);
    });
    scope.post('/parser', () => 1);
  });
  await app.register(async (scope) => {
    scope.setErrorHandler((error) => {
      throw error;
    });
    scope.post('/scope-rethrow', (request) => {
      throw make(caseOf(request.headers));
    });
  });
  await app.register(async (scope) => {
    // What the bypass warning advises: hand the error back with reply.send(error).
    scope.setErrorHandler((error, _request, reply) => {
      reply.send(error);
    });
    scope.post('/scope-send', (request) => {
      throw make(caseOf(request.headers));
    });
  });
  app.post(
    '/route-rethrow',
    {
      errorHandler: (error) => {
        throw error;
      },
    },
    (request) => {
      throw make(caseOf(request.headers));
    },
  );
  app.post('/stream', (request, reply) => {
    const index = caseOf(request.headers);
    const stream = new Readable({
      read() {
        this.destroy(make(index) as Error);
      },
    });
    reply.type('application/octet-stream').send(stream);
  });
  app.post('/health', () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

describe.each([
  ['HTTP/1.1', false],
  ['h2c', true],
])('corpus through more Fastify failure styles over %s', (_label, http2) => {
  const log = memoryLog();
  const ids = new Set<string>();
  let app: FastifyInstance;
  let base = '';
  let session: ClientHttp2Session | undefined;

  beforeAll(async () => {
    app = await build(log, http2);
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    if (http2) session = connect(base);
  });
  afterAll(async () => {
    session?.close();
    await app.close();
  });

  const send = (style: Style, index: number, body: unknown): Promise<Answer> => {
    const headers = {
      'x-case': String(index),
      ...(style === 'parser' ? { 'content-type': 'application/x-hostile' } : {}),
    };
    return session === undefined
      ? postJson(`${base}/${style}`, body, headers)
      : postJsonH2(session, `/${style}`, body, headers);
  };

  it.each(CORPUS.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
    const testCase = CORPUS[index] as CorpusCase;
    const wrong: string[] = [];
    const nothing = testCase.make() == null;
    for (const style of STYLES) {
      if (nothing && CALLBACK.has(style)) continue;
      const answer = await send(style, index, testCase.input ?? {});
      const expected = testCase.input !== undefined && BEFORE_BODY.has(style) ? 'internal' : testCase.liveHttpCategory;
      const spec = TAXONOMY[(expected ?? testCase.category) as Category];
      let parsed: { code?: string; request_id?: string } = {};
      try {
        parsed = JSON.parse(answer.body) as typeof parsed;
      } catch {}
      const leaks = leaksIn(`${answer.status}\n${JSON.stringify(answer.headers)}\n${answer.body}`, testCase);
      const ok =
        answer.status === spec.http &&
        parsed.code === spec.code &&
        /^application\/problem\+json/.test(answer.headers['content-type'] ?? '') &&
        answer.headers['x-request-id'] === parsed.request_id &&
        UUID_V4.test(parsed.request_id ?? '') &&
        leaks.length === 0;
      if (!ok) wrong.push(`${style}: ${answer.status} ${answer.body.slice(0, 200)} leaks=${leaks.join('|')}`);
      else ids.add(parsed.request_id as string);
    }
    expect(wrong).toEqual([]);
  });

  it('logged a record for every answered id, and still serves', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logged = new Set(log.records.map((r) => r.request_id));
    const skipped = CORPUS.filter((c) => c.make() == null).length * CALLBACK.size;
    expect(ids.size).toBe(CORPUS.length * STYLES.length - skipped);
    expect([...ids].filter((id) => !logged.has(id))).toEqual([]);
    const health =
      session === undefined ? await postJson(`${base}/health`, {}) : await postJsonH2(session, '/health', {});
    expect(health.status).toBe(200);
  });
});
