/**
 * Hostile values through the Fastify failure styles the corpus tests leave out: synchronous
 * throws and `done(value)` in each hook before the handler, synchronous throws in `onSend` and
 * `preSerialization` hooks, an `onRequest` hook or a content-type parser returning a hostile
 * thenable (Fastify reads its `then` outside any `try`), a `preParsing` hook's payload stream
 * that fails with the value (async and callback hooks), a content-type parser that throws or
 * rejects, a reply serializer that throws, a payload whose serialization throws, an application's
 * not-found handler that throws, a `schemaErrorFormatter` that returns or throws the value, and
 * errors whose `statusCode` (200, 999, '500', NaN, -1) and `headers` (Set-Cookie, Location,
 * X-Request-Id) try to shape the answer. Each answer: the expected status, problem JSON, a generic
 * message, the id equal in header, body and the one record, nothing of the value's text in status
 * line, headers or body; the server keeps serving. Real server on 127.0.0.1 (HTTP/1.1 with undici
 * fetch and curl, h2c with node:http2).
 */
import { execFile } from 'node:child_process';
import { type ClientHttp2Session, connect } from 'node:http2';
import { Readable } from 'node:stream';
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { type Answer, postJson, postJsonH2 } from './helpers.js';

const SECRET = 'hunter2-redteam';
const TEXT = `SELECT * FROM users_secret_table -- ${SECRET} /srv/app/db.ts db.internal:5432`;
/** Substrings no answer may carry. */
const FORBIDDEN = [SECRET, 'users_secret_table', '/srv/app', 'db.internal', 'evil.example', 'evil-id', 'SELECT'];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const trap = () => {
  throw new Error(TEXT);
};
const HOSTILE_HEADERS = { 'set-cookie': `sid=${SECRET}`, location: 'https://evil.example/', 'x-request-id': 'evil-id' };

/** Hostile values, each made fresh. */
const VALUES: Record<string, () => unknown> = {
  proxy: () =>
    new Proxy(function hostile() {}, {
      get: trap,
      has: trap,
      ownKeys: trap,
      getOwnPropertyDescriptor: trap,
      getPrototypeOf: trap,
      apply: trap,
      construct: trap,
      set: trap,
      defineProperty: trap,
    }),
  getters: () =>
    Object.defineProperties(new Error('x'), {
      message: { get: trap },
      code: { get: trap },
      statusCode: { get: trap },
      status: { get: trap },
      headers: { get: trap },
      stack: { get: trap },
      name: { get: trap },
      cause: { get: trap },
    }),
  primitive: () => ({ [Symbol.toPrimitive]: trap, toString: trap, valueOf: trap, toJSON: trap, message: TEXT }),
  frozen: () => Object.freeze(Object.assign(Object.create(null), { message: TEXT, code: TEXT, statusCode: 200 })),
  huge: () => Object.assign(new Error(TEXT.repeat(20_000)), { code: { TEXT }, statusCode: '500', status: [TEXT] }),
  cyclic: () => {
    const error = new Error(TEXT) as Error & { cause?: unknown; self?: unknown };
    error.cause = error;
    error.self = { error };
    return error;
  },
  bigint: () => 10n ** 30n,
  symbol: () => Symbol(TEXT),
  function: () => Object.assign(() => TEXT, { message: TEXT }),
  promise: () => {
    const promise = Promise.reject(new Error(TEXT));
    promise.catch(() => {});
    return promise;
  },
  // A thenable whose `then` throws (defined, so the linter's no-then rule is not tripped).
  thenable: () => Object.defineProperty({ message: TEXT }, 'then', { value: trap, enumerable: true }),
  'status-200': () => Object.assign(new Error(TEXT), { statusCode: 200, headers: HOSTILE_HEADERS }),
  'status-999': () => Object.assign(new Error(TEXT), { statusCode: 999, headers: HOSTILE_HEADERS }),
  'status-string': () => Object.assign(new Error(TEXT), { statusCode: '500', headers: HOSTILE_HEADERS }),
  'status-nan': () => Object.assign(new Error(TEXT), { statusCode: Number.NaN, status: -1, headers: HOSTILE_HEADERS }),
  'status-negative': () => Object.assign(new Error(TEXT), { statusCode: -1, headers: HOSTILE_HEADERS }),
  plain: () => ({ message: TEXT, code: 'E_SQL', statusCode: 200, headers: HOSTILE_HEADERS }),
  null: () => null,
};
/** Values whose serialization throws: a payload of them must reach the error path. */
const UNSERIALIZABLE = new Set(['proxy', 'primitive', 'bigint']);
/** Values a hook or parser returns whose `then` Fastify cannot read or call safely (or a rejected promise). */
const RETURNED_THENABLE = new Set(['proxy', 'thenable', 'promise']);
const NAMES = Object.keys(VALUES);
const make = (request: FastifyRequest) => (VALUES[String(request.headers['x-value'])] as () => unknown)();

/** Styles, each a route at `/<style>`; `callback` ones hand the value to `done` (null there is success). */
const STYLES = [
  'on-request-throw',
  'pre-parsing-throw',
  'pre-validation-throw',
  'pre-handler-throw',
  'pre-parsing-done',
  'pre-validation-done',
  'pre-handler-done',
  'on-send-throw',
  'pre-serialization-throw',
  'on-request-returns',
  'pre-parsing-stream',
  'pre-parsing-stream-done',
  'parser-throw',
  'parser-reject',
  'parser-returns',
  'serializer-throw',
  'payload',
  'not-found-throw',
  'formatter-returns',
  'formatter-throws',
] as const;
type Style = (typeof STYLES)[number];
const CALLBACK: ReadonlySet<Style> = new Set(['pre-parsing-done', 'pre-validation-done', 'pre-handler-done']);

/**
 * The statuses expected: a formatter's answer is the request's invalid body (400), or, when the
 * formatter itself failed, the application's error (500); a failing payload stream is the
 * request's body failing to read (Fastify marks the error 400) or the server's own (500); never
 * the 200 of a payload.
 */
function expectedStatuses(style: Style): readonly number[] {
  return style.startsWith('formatter') || style.startsWith('pre-parsing-stream') ? [400, 500] : [500];
}

async function build(log: ReturnType<typeof memoryLog>, http2: boolean): Promise<FastifyInstance> {
  const options = http2 ? ({ ...faultlineServerOptions(), http2: true } as object) : faultlineServerOptions();
  const app = Fastify(options) as unknown as FastifyInstance;
  await app.register(faultline, {
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  const ok = () => ({ ok: true });
  const throwing = (request: FastifyRequest) => {
    throw make(request);
  };
  app.post('/on-request-throw', { onRequest: throwing }, ok);
  app.post('/pre-parsing-throw', { preParsing: throwing }, ok);
  app.post('/pre-validation-throw', { preValidation: throwing }, ok);
  app.post('/pre-handler-throw', { preHandler: throwing }, ok);
  // Throws on the route's answer only: Faultline's answer then passes (one failure, one record).
  const onSendThrowing = (request: FastifyRequest, reply: FastifyReply, _payload: unknown, done: () => void) => {
    if (reply.statusCode < 400) throw make(request);
    done();
  };
  // A payload stream of a preParsing hook that fails with the value (null: destroyed without an error).
  const failingStream = (request: FastifyRequest) =>
    new Readable({
      read() {
        this.destroy(make(request) as Error);
      },
    });
  app.post('/pre-parsing-stream', { preParsing: async (request: FastifyRequest) => failingStream(request) }, ok);
  app.post(
    '/pre-parsing-stream-done',
    { preParsing: (request, _reply, _payload, done) => done(null, failingStream(request)) },
    ok,
  );
  app.post('/on-send-throw', { onSend: onSendThrowing as never }, ok);
  app.post('/pre-serialization-throw', { preSerialization: throwing }, ok);
  app.post('/on-request-returns', { onRequest: ((request: FastifyRequest) => make(request)) as never }, ok);
  const doneWith =
    (at: number) =>
    (...args: unknown[]) => {
      (args[at] as (e: unknown) => void)(make(args[0] as FastifyRequest));
    };
  app.post('/pre-parsing-done', { preParsing: doneWith(3) as never }, ok);
  app.post('/pre-validation-done', { preValidation: doneWith(2) as never }, ok);
  app.post('/pre-handler-done', { preHandler: doneWith(2) as never }, ok);
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-throw', (request: FastifyRequest) => {
      throw make(request);
    });
    scope.addContentTypeParser('application/x-reject', async (request: FastifyRequest) => {
      throw make(request);
    });
    scope.post('/parser-throw', ok);
    scope.addContentTypeParser('application/x-returns', (request: FastifyRequest) => make(request));
    scope.post('/parser-reject', ok);
    scope.post('/parser-returns', ok);
  });
  app.post('/serializer-throw', (request, reply) => {
    reply.serializer(() => {
      throw make(request);
    });
    return { ok: true };
  });
  // A payload Fastify must serialize, and cannot: the serializer throws on it.
  app.post('/payload', (request, reply: FastifyReply) => {
    const value = make(request);
    reply.code(500).send({ value });
  });
  await app.register(
    async (scope) => {
      scope.setNotFoundHandler((request) => {
        throw make(request);
      });
    },
    { prefix: '/not-found-throw' },
  );
  const schema = { body: { type: 'object', required: ['must'] } };
  // The formatter gets no request: the value is chosen in an onRequest hook of the two routes (of
  // these two only: a hook before it would catch what the `on-request-returns` hook throws).
  const choose = (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    currentRequest = request;
    done();
  };
  app.post(
    '/formatter-returns',
    { schema, onRequest: choose, schemaErrorFormatter: () => make(currentRequest as FastifyRequest) as Error },
    ok,
  );
  app.post(
    '/formatter-throws',
    {
      schema,
      onRequest: choose,
      schemaErrorFormatter: () => {
        throw make(currentRequest as FastifyRequest);
      },
    },
    ok,
  );
  app.post('/health', ok);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

let currentRequest: FastifyRequest | undefined;

const PATHS: Record<Style, string> = Object.fromEntries(
  STYLES.map((style) => [style, style === 'not-found-throw' ? '/not-found-throw/missing' : `/${style}`]),
) as Record<Style, string>;

const contentType = (style: Style) =>
  style.startsWith('parser-') ? `application/x-${style.slice('parser-'.length)}` : undefined;

function leaks(answer: Answer): string[] {
  const text = `${answer.status}\n${JSON.stringify(answer.headers)}\n${answer.body}`;
  return FORBIDDEN.filter((s) => text.includes(s));
}

describe.each([
  ['HTTP/1.1', false],
  ['h2c', true],
])('hostile values through more Fastify failure styles over %s', (_label, http2) => {
  const log = memoryLog();
  let app: FastifyInstance;
  let base = '';
  let session: ClientHttp2Session | undefined;

  beforeAll(async () => {
    app = await build(log, http2);
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    if (http2) session = connect(base);
  });
  afterAll(async () => {
    session?.close();
    await app.close();
  });

  const send = (style: Style, name: string): Promise<Answer> => {
    const type = contentType(style);
    const headers = { 'x-value': name, ...(type === undefined ? {} : { 'content-type': type }) };
    return session === undefined
      ? postJson(`${base}${PATHS[style]}`, { some: 'body' }, headers, 3000)
      : postJsonH2(session, PATHS[style], { some: 'body' }, headers, 3000);
  };

  it.each(NAMES)('%s', async (name) => {
    const wrong: string[] = [];
    for (const style of STYLES) {
      if (name === 'null' && CALLBACK.has(style)) continue;
      if (style === 'payload' && !UNSERIALIZABLE.has(name)) continue;
      if (style.endsWith('-returns') && !RETURNED_THENABLE.has(name)) continue;
      let answer: Answer;
      try {
        answer = await send(style, name);
      } catch (error) {
        wrong.push(`${style}: no answer (${(error as Error).message})`);
        continue;
      }
      let body: { code?: string; request_id?: string; detail?: string } = {};
      try {
        body = JSON.parse(answer.body) as typeof body;
      } catch {}
      const id = body.request_id;
      const records = log.records.filter((r) => r.request_id === id);
      const problems = [
        expectedStatuses(style).includes(answer.status) ? '' : `status ${answer.status}`,
        /^application\/problem\+json/.test(answer.headers['content-type'] ?? '') ? '' : 'content-type',
        UUID_V4.test(id ?? '') && answer.headers['x-request-id'] === id ? '' : 'id',
        answer.headers['set-cookie'] === undefined && answer.headers.location === undefined ? '' : 'headers',
        ...leaks(answer).map((s) => `leaks ${s}`),
      ].filter((p) => p !== '');
      if (problems.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const count = log.records.filter((r) => r.request_id === id).length;
        if (count !== 1) problems.push(`${count} records`);
      }
      if (problems.length > 0)
        wrong.push(`${style}: ${problems.join(', ')} ${answer.body.slice(0, 160)} ${records.length}`);
    }
    expect(wrong).toEqual([]);
  });

  it('still serves', async () => {
    const health =
      session === undefined ? await postJson(`${base}/health`, {}) : await postJsonH2(session, '/health', {});
    expect(health.status).toBe(200);
  });
});

describe('hostile statusCode and headers over curl', () => {
  const log = memoryLog();
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    app.get('/status/:name', (request) => {
      throw (VALUES[(request.params as { name: string }).name] as () => unknown)();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  const curl = (url: string) =>
    new Promise<string>((resolve, reject) => {
      execFile('curl', ['-sS', '-i', '--max-time', '3', url], (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      );
    });

  it.each(NAMES.filter((n) => n.startsWith('status') || n === 'frozen' || n === 'huge'))('%s', async (name) => {
    const raw = await curl(`${base}/status/${name}`);
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(head.toLowerCase()).not.toMatch(/set-cookie|location:/);
    const id = /x-request-id: ([^\r\n]+)/i.exec(head)?.[1];
    expect(JSON.parse(body).request_id).toBe(id);
    expect(FORBIDDEN.filter((s) => raw.includes(s))).toEqual([]);
  });
});
