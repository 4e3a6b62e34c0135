/**
 * Hooks and content-type parsers registered before the plugin (early-registrations.ts), in the
 * root scope and in an encapsulated scope loaded before it. Unguarded, Fastify 5 took a hook's
 * thrown `null` or `undefined` for success (an `onRequest` auth hook let the handler run, an
 * `onSend` hook sent a 200 with an empty body), a hostile thenable a hook or parser returned was
 * an uncaught exception (a crash, the request never answered), and a parser throwing or rejecting
 * with `null` ran the handler with no body. Each now fails the request with Faultline's 500 and
 * one record under its id; Fastify's default parsers are left as they were, and a parser's
 * `done(null)` ("no body") stays a success that a body schema still validates. Real server on
 * 127.0.0.1, undici fetch.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import Fastify, {
  type FastifyInstance,
  type FastifyRequest,
  type onRequestHookHandler,
  type onSendHookHandler,
  type RawServerDefault,
} from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardEarlyRegistrations } from '../src/early-registrations.js';
import { faultline, faultlineServerOptions } from '../src/index.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What a failing hook or parser does, chosen per request by its `x-value` header. */
const FAILURES: Record<string, () => unknown> = {
  null: () => {
    throw null;
  },
  undefined: () => {
    throw undefined;
  },
  // Returned, not thrown: Fastify reads `then` of these outside any `try`.
  'thenable-proxy': () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error('then trap');
        },
      },
    ),
  'then-throws': () => ({
    // biome-ignore lint/suspicious/noThenProperty: the hostile thenable under test
    then() {
      throw new Error('then called');
    },
  }),
};
const failWith = (request: FastifyRequest): unknown => FAILURES[String(request.headers['x-value'])]?.();
const failing = (request: FastifyRequest, kind: string) => request.headers['x-kind'] === kind;

/** The hook kinds that fail a request before its handler, and after it. */
const BEFORE_HANDLER = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const;
const AFTER_HANDLER = ['preSerialization', 'onSend'] as const;

/** One callback hook of each kind on `scope`, failing when the request names its kind. */
function addHooks(scope: FastifyInstance): void {
  for (const kind of ['onRequest', 'preValidation', 'preHandler'] as const) {
    const hook: onRequestHookHandler = (request, _reply, done) => {
      if (failing(request, kind)) return failWith(request) as undefined;
      done();
    };
    scope.addHook(kind as 'onRequest', hook);
  }
  // Hijacks, then fails: Fastify sends nothing on a hijacked reply, and the client waited forever.
  scope.addHook('preHandler', (request, reply, done) => {
    if (!failing(request, 'hijack')) return done();
    reply.hijack();
    setImmediate(() => done(new Error('failed after hijack')));
  });
  scope.addHook('preParsing', (request, _reply, payload, done) => {
    if (failing(request, 'preParsing')) return failWith(request) as undefined;
    done(null, payload);
  });
  for (const kind of AFTER_HANDLER) {
    const hook: onSendHookHandler = (request, reply, payload, done) => {
      // Not on the error answer, which passes the onSend hooks too: it would fail again (a second record).
      if (failing(request, kind) && reply.statusCode < 400) return failWith(request) as undefined;
      done(null, payload);
    };
    scope.addHook(kind as 'onSend', hook);
  }
}

describe('hooks and parsers registered before the plugin', () => {
  const log = memoryLog();
  const warnings: Error[] = [];
  const collect = (warning: Error) => {
    if ((warning as { code?: string }).code === 'FAULTLINE_REGISTERED_BEFORE_PLUGIN') warnings.push(warning);
  };
  let app: FastifyInstance;
  let base = '';
  /** Handler runs: a failure before the handler must never reach it. */
  let ran = 0;
  const handler = (request: FastifyRequest) => {
    ran += 1;
    return { body: request.body ?? 'none' };
  };

  beforeAll(async () => {
    process.on('warning', collect);
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    addHooks(app);
    // An onError hook returning a hostile thenable: Fastify answered it with an uncaught "You
    // cannot use `send` inside the `onError` hook".
    app.addHook('onError', (request, _reply, _error, done) => {
      if (failing(request, 'onError')) return failWith(request) as undefined;
      done();
    });
    app.addContentTypeParser('application/x-throw', (request: FastifyRequest) => failWith(request));
    app.addContentTypeParser('application/x-reject', async (request: FastifyRequest) => {
      await Promise.resolve();
      throw (request.headers['x-value'] === 'null' ? null : undefined) as unknown as Error;
    });
    app.addContentTypeParser('application/x-none', (_request, payload, done) => {
      payload.resume();
      payload.on('end', () => done(null));
    });
    // An encapsulated scope loaded before the plugin: its own copies of the lists are guarded too.
    await app.register(async (child) => {
      child.addHook('onRequest', (request, _reply, done) => {
        if (failing(request, 'child')) return failWith(request) as undefined;
        done();
      });
      child.addContentTypeParser('application/x-child', (request: FastifyRequest) => failWith(request));
      child.post('/child', handler);
    });
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    app.post('/root', handler);
    app.post('/fail', () => {
      throw new Error('route failed');
    });
    app.post('/schema', { schema: { body: { type: 'object' } } }, handler);
    // Fastify's own JSON parser was left as it was: a scope may still replace it with its own.
    await app.register(async (scope) => {
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
        done(null, { own: String(body) }),
      );
      scope.post('/own-json', handler);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    process.off('warning', collect);
  });
  afterAll(async () => {
    await app.close();
  });

  const post = async (path: string, headers: Record<string, string>, type = 'application/json', body = '{}') => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': type, ...headers },
      body,
      signal: AbortSignal.timeout(3000),
    });
    return { status: response.status, id: response.headers.get('x-request-id'), body: await response.text() };
  };

  /** Each request answered with Faultline's 500 (problem JSON, id in header and body), `records` records under its id. */
  async function expectFaultlineAnswers(
    requests: Array<[string, () => ReturnType<typeof post>, boolean]>,
    records = 1,
  ) {
    const wrong: string[] = [];
    const ids: string[] = [];
    for (const [name, send, handlerMayRun] of requests) {
      const before = ran;
      let answer: Awaited<ReturnType<typeof post>>;
      try {
        answer = await send();
      } catch (error) {
        wrong.push(`${name}: no answer (${(error as Error).name})`);
        continue;
      }
      let body: { code?: string; request_id?: string } = {};
      try {
        body = JSON.parse(answer.body) as typeof body;
      } catch {}
      const ok =
        answer.status === 500 &&
        body.code === 'INTERNAL' &&
        UUID_V4.test(answer.id ?? '') &&
        body.request_id === answer.id &&
        (handlerMayRun || ran === before);
      if (ok) ids.push(answer.id as string);
      else wrong.push(`${name}: ${answer.status} ${answer.body.slice(0, 80)} handler ran ${ran - before}`);
    }
    expect(wrong).toEqual([]);
    const count = (id: string) => log.records.filter((r) => r.request_id === id).length;
    await until(() => ids.every((id) => count(id) >= records));
    expect(ids.filter((id) => count(id) !== records)).toEqual([]);
  }

  it('guards them in place and warns of nothing', () => {
    expect(warnings).toEqual([]);
  });

  it('fails the request, handler not run, for a hook before the handler throwing a falsy value or returning a hostile thenable', async () => {
    await expectFaultlineAnswers(
      BEFORE_HANDLER.flatMap((kind) =>
        Object.keys(FAILURES).map((value): [string, () => ReturnType<typeof post>, boolean] => [
          `${kind} ${value}`,
          () => post('/root', { 'x-kind': kind, 'x-value': value }),
          false,
        ]),
      ),
    );
  });

  it('answers a hook failing after reply.hijack()', async () => {
    await expectFaultlineAnswers([['hijack', () => post('/root', { 'x-kind': 'hijack' }), false]]);
  });

  it('fails the request, never an empty 200, for a preSerialization or onSend hook doing the same', async () => {
    await expectFaultlineAnswers(
      AFTER_HANDLER.flatMap((kind) =>
        Object.keys(FAILURES).map((value): [string, () => ReturnType<typeof post>, boolean] => [
          `${kind} ${value}`,
          () => post('/root', { 'x-kind': kind, 'x-value': value }),
          true,
        ]),
      ),
    );
  });

  it('keeps the answer of a failing route when an onError hook returns a hostile thenable', async () => {
    await expectFaultlineAnswers(
      ['thenable-proxy', 'then-throws'].map((value): [string, () => ReturnType<typeof post>, boolean] => [
        `onError ${value}`,
        () => post('/fail', { 'x-kind': 'onError', 'x-value': value }),
        true,
      ]),
      2, // the route's failure, and the hook's
    );
  });

  it('fails the request, handler not run, for a parser throwing or rejecting with a falsy value or returning a hostile thenable', async () => {
    await expectFaultlineAnswers([
      ...Object.keys(FAILURES).map((value): [string, () => ReturnType<typeof post>, boolean] => [
        `parser ${value}`,
        () => post('/root', { 'x-value': value }, 'application/x-throw', 'x'),
        false,
      ]),
      ...['null', 'undefined'].map((value): [string, () => ReturnType<typeof post>, boolean] => [
        `rejecting parser ${value}`,
        () => post('/root', { 'x-value': value }, 'application/x-reject', 'x'),
        false,
      ]),
    ]);
  });

  // Its routes were registered before the plugin too: Fastify's error handler answers them, not Faultline's.
  it('fails the request, handler not run, in a scope loaded before the plugin', async () => {
    const wrong: string[] = [];
    for (const value of Object.keys(FAILURES)) {
      for (const [name, send] of [
        ['hook', () => post('/child', { 'x-kind': 'child', 'x-value': value })],
        ['parser', () => post('/child', { 'x-value': value }, 'application/x-child', 'x')],
      ] as const) {
        const before = ran;
        const answer = await send().catch((error: Error) => ({ status: error.name }));
        if (answer.status !== 500 || ran !== before)
          wrong.push(`${name} ${value}: ${answer.status}, ran ${ran - before}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps successes: hooks passing on, Fastify’s JSON parser, a replaced JSON parser, a parser’s done(null)', async () => {
    expect(await post('/root', {})).toMatchObject({ status: 200, body: '{"body":{}}' });
    expect(await post('/child', {})).toMatchObject({ status: 200, body: '{"body":{}}' });
    expect(await post('/own-json', {}, 'application/json', '[1]')).toMatchObject({
      status: 200,
      body: '{"body":{"own":"[1]"}}',
    });
    // `done(null)` is Fastify's "no body" (a catch-all or multipart parser): the handler runs without one...
    expect(await post('/root', {}, 'application/x-none', 'x')).toMatchObject({ status: 200, body: '{"body":"none"}' });
    // ...and a body schema still applies: an absent body is validated as `null`, and refused.
    const before = ran;
    expect((await post('/schema', {}, 'application/x-none', 'x')).status).toBe(400);
    expect(ran).toBe(before);
  });
});

describe('a hook added right after register(faultline), without await', () => {
  it('is guarded too: Fastify adds it once the plugin has loaded, past the plugin’s addHook', async () => {
    const app = Fastify(faultlineServerOptions<RawServerDefault>());
    app.register(faultline, { reporter: false });
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.url === '/gate') throw null;
      done();
    });
    let ran = 0;
    app.get('/gate', () => {
      ran += 1;
      return 'open';
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (app.server.address() as { port: number }).port;
      const response = await fetch(`http://127.0.0.1:${port}/gate`, { signal: AbortSignal.timeout(3000) });
      expect([response.status, ((await response.json()) as { code?: string }).code, ran]).toEqual([500, 'INTERNAL', 0]);
    } finally {
      await app.close();
    }
  });
});

describe("when Fastify's lists cannot be found (a Fastify version that renamed them)", () => {
  it('says so in one warning per process, naming what was not reached', async () => {
    const warnings: Error[] = [];
    const collect = (warning: Error) => {
      if ((warning as { code?: string }).code === 'FAULTLINE_REGISTERED_BEFORE_PLUGIN') warnings.push(warning);
    };
    process.on('warning', collect);
    try {
      const sinks = { record: () => {}, hijacked: () => {} };
      guardEarlyRegistrations({}, sinks);
      guardEarlyRegistrations(Object.create(null) as object, sinks);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', collect);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(
      /^@faultline\/fastify: hooks .* and content-type parsers .* could not be reached/,
    );
  });
});
