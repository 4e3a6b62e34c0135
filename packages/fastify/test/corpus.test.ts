/**
 * The adversarial corpus through a real Fastify server, over HTTP/1.1 (undici fetch) and h2c
 * (node:http2): every case thrown synchronously, rejected from an async handler, and thrown from
 * a preHandler hook. Each answer has the expected status and code, no forbidden substring in
 * the status line, headers or body, a lower-case UUID v4 id that matches a log record, and the
 * server still answers afterwards. Once more over HTTP/1.1 with a subscriber on Fastify's
 * `tracing:fastify.request.handler:error` channel, as Sentry's Fastify integration subscribes:
 * Fastify then reads `statusCode` and `status` of the thrown value itself.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type ClientHttp2Session, connect } from 'node:http2';
import { type Category, createReporter, isUuid, TAXONOMY } from '@faultline/core';
import { CORPUS, type CorpusCase, leaksIn, memoryLog } from '@faultline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { type Answer, postJson, postJsonH2 } from './helpers.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const STYLES = ['sync', 'async', 'hook'] as const;
type Style = (typeof STYLES)[number];

async function build(http2: boolean, log: ReturnType<typeof memoryLog>): Promise<FastifyInstance> {
  const options = http2 ? ({ ...faultlineServerOptions(), http2: true } as object) : faultlineServerOptions();
  const app = Fastify(options) as unknown as FastifyInstance;
  await app.register(faultline, {
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  const make = (index: string) => (CORPUS[Number(index)] as CorpusCase).make();
  app.post<{ Params: { i: string } }>('/sync/:i', (request) => {
    throw make(request.params.i);
  });
  app.post<{ Params: { i: string } }>('/async/:i', async (request) => {
    await new Promise((resolve) => setImmediate(resolve));
    throw make(request.params.i);
  });
  app.post<{ Params: { i: string } }>(
    '/hook/:i',
    {
      preHandler: async (request) => {
        throw make(request.params.i);
      },
    },
    () => 'unreachable',
  );
  app.get('/health', () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function viaHttp1(app: FastifyInstance, path: string, body: unknown): Promise<Answer> {
  return postJson(`http://127.0.0.1:${portOf(app)}${path}`, body);
}

function viaHttp2(session: ClientHttp2Session, path: string, body: unknown): Promise<Answer> {
  return postJsonH2(session, path, body);
}

function check(answer: Answer, testCase: CorpusCase, requestIds: Set<string>): void {
  const spec = TAXONOMY[(testCase.liveHttpCategory ?? testCase.category) as Category];
  expect(answer.status).toBe(spec.http);
  const parsed = JSON.parse(answer.body) as { code: string; request_id: string; status: number };
  expect(parsed.status).toBe(spec.http);
  expect(parsed.code).toBe(spec.code);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers['x-request-id']).toBe(parsed.request_id);
  expect(parsed.request_id).toMatch(UUID_V4);
  expect(leaksIn(`${answer.status}\n${JSON.stringify(answer.headers)}\n${answer.body}`, testCase)).toEqual([]);
  requestIds.add(parsed.request_id);
}

const HANDLER_ERROR_CHANNEL = 'tracing:fastify.request.handler:error';
const observed: unknown[] = [];
const observer = (message: unknown) => {
  observed.push((message as { error?: unknown }).error);
};

describe.each([
  ['HTTP/1.1', false, false],
  ['h2c', true, false],
  ["HTTP/1.1, with a subscriber on Fastify's handler error channel", false, true],
])('corpus over %s', (_label, http2, subscribed) => {
  const log = memoryLog();
  const ids = new Set<string>();
  let app: FastifyInstance;
  let session: ClientHttp2Session | undefined;

  beforeAll(async () => {
    if (subscribed) subscribe(HANDLER_ERROR_CHANNEL, observer);
    app = await build(http2, log);
    if (http2) session = connect(`http://127.0.0.1:${portOf(app)}`);
  });
  afterAll(async () => {
    if (subscribed) unsubscribe(HANDLER_ERROR_CHANNEL, observer);
    session?.close();
    await app.close();
  });

  const send = (style: Style, index: number, body: unknown) =>
    session === undefined ? viaHttp1(app, `/${style}/${index}`, body) : viaHttp2(session, `/${style}/${index}`, body);

  it.each(CORPUS.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
    const testCase = CORPUS[index] as CorpusCase;
    for (const style of STYLES) check(await send(style, index, testCase.input ?? {}), testCase, ids);
  });

  it('logged a record for every answered id, and still serves', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logged = new Set(log.records.map((r) => r.request_id));
    const missing = [...ids].filter((id) => !logged.has(id));
    expect(ids.size).toBe(CORPUS.length * STYLES.length);
    expect(missing).toEqual([]);
    expect([...ids].every(isUuid)).toBe(true);
    const health = session === undefined ? await fetch(`http://127.0.0.1:${portOf(app)}/health`) : undefined;
    if (health !== undefined) expect(health.status).toBe(200);
    // The subscriber saw the handlers' errors (so Fastify's own reading of them ran).
    if (subscribed) expect(observed.length).toBeGreaterThanOrEqual(CORPUS.length * 2);
  });
});
