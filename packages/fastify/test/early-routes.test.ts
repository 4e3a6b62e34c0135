/**
 * Routes registered before the plugin (default-error-handler.ts, early-routes.ts): on the root,
 * in a prefixed scope loaded earlier, and right after an `app.register(faultline)` that was not
 * awaited. Fastify builds a route's error handler when the route is built, so those routes kept
 * Fastify's default handler, which sent `{"statusCode":500,...,"message":"secret postgres://..."}`,
 * a thrown string as the body and `null` as `null`. Each hostile value, thrown or rejected by the
 * handler, passed to `reply.send`, or thrown by a hook, is now Faultline's answer: status, stable
 * code, generic text, the request's id, one record under that id, and none of the secrets. A
 * 404 and 405 next to them, and their schema-validation failures, are answered in the same shape;
 * an onSend hook failing on the answer does not let Fastify's fallback write its message; a
 * server without Faultline in the same process keeps Fastify's own answers. Real servers on
 * 127.0.0.1, undici fetch.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, recordFor, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverEarlyRoutes } from '../src/early-routes.js';
import { faultline, faultlineServerOptions, MethodRouter } from '../src/index.js';
import { expectNoSecrets } from './helpers.js';

const SECRET = 'secret postgres://u:p@10.0.0.1/db';
const LEAKS = [SECRET, 'postgres', '10.0.0.1', 'SELECT', '/srv/app', 'getter'];

/** Hostile values, chosen per request by the route's last path segment. */
const VALUES: Record<string, () => unknown> = {
  error: () => new Error(`${SECRET} SELECT * FROM users at /srv/app/db.ts:3`),
  null: () => null,
  undefined: () => undefined,
  string: () => SECRET,
  proxy: () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error(`getter ${SECRET}`);
        },
      },
    ),
  getters: () =>
    Object.defineProperties(new Error('x'), {
      message: {
        get() {
          throw new Error(`getter ${SECRET}`);
        },
      },
      statusCode: {
        get() {
          throw new Error(`getter ${SECRET}`);
        },
      },
    }),
};

/** Routes under `prefix` failing with each value: a sync throw, a rejection, `reply.send`, a hook. */
function addRoutes(scope: FastifyInstance, prefix: string): void {
  for (const [name, value] of Object.entries(VALUES)) {
    scope.get(`${prefix}/sync/${name}`, () => {
      throw value();
    });
    scope.get(`${prefix}/async/${name}`, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw value();
    });
    scope.get(`${prefix}/send/${name}`, (_request, reply: FastifyReply) => {
      const error = value();
      // `reply.send` takes the error path for an Error only; the others are payloads.
      if (error instanceof Error) reply.send(error);
      else throw error;
    });
    scope.get(`${prefix}/hook/${name}`, { preHandler: async () => Promise.reject(value()) }, () => 'unreachable');
    scope.get(
      `${prefix}/hook-sync/${name}`,
      {
        onRequest: () => {
          throw value();
        },
      },
      () => 'unreachable',
    );
  }
  scope.post(`${prefix}/schema`, { schema: { body: { type: 'object', required: ['sql'] } } }, () => 'ok');
  scope.get(`${prefix}/ok`, () => ({ ok: true }));
  scope.get(`${prefix}/onsend-fails`, () => {
    throw new Error(`first ${SECRET}`);
  });
}

/** An onSend hook (registered before the plugin) that fails on the error answer of `/onsend-fails`. */
function failOnSend(scope: FastifyInstance): void {
  scope.addHook('onSend', async (request, reply, payload) => {
    if (request.url.endsWith('/onsend-fails') && reply.statusCode >= 500) throw new Error(`onSend ${SECRET}`);
    return payload;
  });
}

interface Problem {
  status?: number;
  code?: string;
  detail?: string;
  request_id?: string;
}

describe.each([
  ['awaited', true],
  ['not awaited', false],
])('routes registered before the plugin (register %s)', (_label, awaited) => {
  const faults = memoryLog();
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    app = Fastify(faultlineServerOptions<RawServerDefault>()) as unknown as FastifyInstance;
    failOnSend(app);
    addRoutes(app, '/root');
    app.register(
      async (child) => {
        addRoutes(child, '/child');
      },
      { prefix: '/v1' },
    );
    const registered = app.register(faultline, {
      reporter: createReporter({ logger: faults.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    if (awaited) await registered;
    // Registered after the call: before the plugin loaded when it was not awaited.
    addRoutes(app, '/next');
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  async function call(path: string, init: RequestInit = {}) {
    const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    return { response, text, body: JSON.parse(text) as Problem };
  }

  const cases = ['/root', '/v1/child', '/next'].flatMap((prefix) =>
    ['sync', 'async', 'send', 'hook', 'hook-sync'].flatMap((form) =>
      Object.keys(VALUES).map((name) => `${prefix}/${form}/${name}`),
    ),
  );

  it.each(cases)('answers %s through Faultline: 500, INTERNAL, generic text, its id, one record', async (path) => {
    const { response, text, body } = await call(path);
    expectNoSecrets(text, LEAKS);
    expect([response.status, body.status, body.code, body.detail]).toEqual([
      500,
      500,
      'INTERNAL',
      'An internal error occurred.',
    ]);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
    await until(() => recordFor(faults.records, body.request_id) !== undefined);
  });

  it.each(['/root', '/v1/child', '/next'])(
    'answers schema failures of %s/schema as Faultline’s 400',
    async (prefix) => {
      const { response, text, body } = await call(`${prefix}/schema`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect([response.status, body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(body.request_id).toBe(response.headers.get('x-request-id'));
      expect(text).not.toContain('must have required property');
    },
  );

  it.each(['/root', '/v1/child', '/next'])('answers 404 and 405 next to %s in Faultline’s shape', async (prefix) => {
    const missing = await call(`${prefix}/nope`);
    expect([missing.response.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
    const wrongMethod = await call(`${prefix}/ok`, { method: 'DELETE' });
    expect([wrongMethod.response.status, wrongMethod.body.code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect(wrongMethod.response.headers.get('allow')).toBe('GET, HEAD');
  });

  it.each(['/root', '/v1/child', '/next'])(
    'keeps the first answer when an onSend hook fails on it (%s)',
    async (prefix) => {
      const { response, text, body } = await call(`${prefix}/onsend-fails`);
      expectNoSecrets(text, LEAKS);
      expect([response.status, body.code]).toEqual([500, 'INTERNAL']);
    },
  );

  it('keeps successes as they were', async () => {
    for (const prefix of ['/root', '/v1/child', '/next']) {
      const { response, body } = await call(`${prefix}/ok`);
      expect([response.status, body]).toEqual([200, { ok: true }]);
    }
  });
});

describe('a server without Faultline, in the same process as one with it', () => {
  it('keeps Fastify’s own default answers', async () => {
    const withFaultline = Fastify(faultlineServerOptions<RawServerDefault>());
    withFaultline.get('/boom', () => {
      throw new Error('early');
    });
    await withFaultline.register(faultline, { reporter: false });
    const plain = Fastify();
    plain.get('/boom', () => {
      throw Object.assign(new Error('plain message'), { statusCode: 409 });
    });
    const boom = async (server: FastifyInstance | typeof plain) => {
      await server.listen({ port: 0, host: '127.0.0.1' });
      const port = (server.server.address() as { port: number }).port;
      const response = await fetch(`http://127.0.0.1:${port}/boom`, { signal: AbortSignal.timeout(5000) });
      return [response.status, await response.json()];
    };
    try {
      expect(await boom(plain)).toEqual([409, { statusCode: 409, error: 'Conflict', message: 'plain message' }]);
      expect(await boom(withFaultline)).toEqual([500, expect.objectContaining({ code: 'INTERNAL' })]);
    } finally {
      await plain.close();
      await withFaultline.close();
    }
  });
});

describe("when Fastify's default error handler cannot be reached (a Fastify version that reshaped its handler chain)", () => {
  it('names the routes registered before the plugin in one warning', async () => {
    const app = Fastify();
    app.get('/early', () => 'ok');
    app.post('/early/:id', () => 'ok');
    await app.ready();
    // The same server, with Fastify's handler chain hidden behind a value that is not one.
    const reshaped = Object.create(app) as FastifyInstance;
    const symbol = Object.getOwnPropertySymbols(Object.getPrototypeOf(app)).concat(Object.getOwnPropertySymbols(app));
    const errorHandler = symbol.find((s) => s.description === 'fastify.errorHandler');
    expect(errorHandler).toBeDefined();
    Object.defineProperty(reshaped, errorHandler as symbol, { value: null });
    const warnings: Error[] = [];
    const collect = (warning: Error) => {
      if ((warning as { code?: string }).code === 'FAULTLINE_ROUTES_BEFORE_PLUGIN') warnings.push(warning);
    };
    process.on('warning', collect);
    try {
      coverEarlyRoutes(reshaped, () => undefined, new MethodRouter());
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', collect);
      await app.close();
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(
      /routes registered before the plugin \(\/early \(GET, HEAD\); .*\/:id \(POST\)\)/,
    );
  });
});
