/**
 * Values Fastify writes fields onto on their way to the error handler: what a serializer throws
 * (`serialization`), what a validator throws, returns or rejects with (`statusCode`, `code`,
 * `validationContext`), what a schema error formatter returns. A frozen, sealed or non-extensible
 * pg 23505 error, a Proxy refusing writes, a primitive: each answers and is recorded as itself
 * (409 and the pg fields, not Fastify's TypeError); an async validator rejecting with `undefined`
 * fails the request; ordinary values and successful requests answer as before. Real server on
 * 127.0.0.1 port 0, fetch client.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, recordFor, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

const MESSAGE = 'duplicate key value violates unique constraint "users_email_key"';
const pg = () => Object.assign(new Error(MESSAGE), { code: '23505', constraint: 'users_email_key' });
const VALUES: Record<string, () => unknown> = {
  frozen: () => Object.freeze(pg()),
  sealed: () => Object.seal(pg()),
  'non-extensible': () => Object.preventExtensions(pg()),
  'proxy refusing writes': () =>
    new Proxy(pg(), {
      set: () => {
        throw new Error('no set');
      },
      defineProperty: () => {
        throw new Error('no define');
      },
    }),
  'read-only statusCode': () => Object.defineProperty(pg(), 'statusCode', { value: undefined, writable: false }),
  'throwing setters': () =>
    Object.defineProperties(pg(), {
      serialization: {
        set: () => {
          throw new Error('setter');
        },
      },
      statusCode: {
        set: () => {
          throw new Error('setter');
        },
      },
    }),
  plain: () => pg(),
};
const STYLES = [
  'reply-serializer',
  'response-schema',
  'reply-serializer-default',
  'validator-throws',
  'validator-returns',
  'validator-rejects',
];

const log = memoryLog();
let app: FastifyInstance;
let base = '';
const thrownFor = (request: FastifyRequest) => VALUES[String(request.headers['x-value'])]?.();
/** The value a validator, which sees no request, fails with: set before each request. */
let current: () => unknown = pg;

async function post(path: string, value = 'plain', body = '{"a":1}') {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-value': value },
    signal: AbortSignal.timeout(5000),
  });
  const id = res.headers.get('x-request-id');
  const text = await res.text();
  if (res.status >= 400) await until(() => recordFor(log.records, id) !== undefined);
  return { status: res.status, text, record: recordFor(log.records, id) };
}

beforeAll(async () => {
  app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
  await app.register(faultline, {
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  const body = { body: { type: 'object' } };
  app.post('/reply-serializer', (request, reply) => {
    reply.serializer(() => {
      throw thrownFor(request);
    });
    return { ok: true };
  });
  app.post(
    '/response-schema',
    {
      schema: { response: { 200: { type: 'object' } } },
      serializerCompiler: () => () => {
        throw current();
      },
    },
    () => ({ ok: true }),
  );
  await app.register(async (scope) => {
    scope.setReplySerializer(() => {
      throw current();
    });
    scope.post('/reply-serializer-default', () => ({ ok: true }));
  });
  app.post(
    '/validator-throws',
    {
      schema: body,
      validatorCompiler: () => () => {
        throw current();
      },
    },
    () => ({ ok: 1 }),
  );
  app.post(
    '/validator-returns',
    { schema: body, validatorCompiler: () => () => ({ error: current() as Error }) },
    () => ({
      ok: 1,
    }),
  );
  app.post(
    '/validator-rejects',
    { schema: body, validatorCompiler: (() => async () => Promise.reject(current())) as never },
    () => ({ ok: 1 }),
  );
  await app.register(async (scope) => {
    scope.setValidatorCompiler(
      () => (data: unknown) => (data as { a?: unknown }).a === 1 || { error: current() as Error },
    );
    scope.setSerializerCompiler(() => (data: unknown) => `${JSON.stringify(data)}!`);
    scope.post('/scope-compilers', { schema: { ...body, response: { 200: { type: 'object' } } } }, () => ({
      ok: true,
    }));
  });
  app.post(
    '/formatter',
    {
      schema: { body: { type: 'object', required: ['missing'] } },
      schemaErrorFormatter: () => current() as Error,
    },
    () => ({ ok: 1 }),
  );
  await app.register(async (scope) => {
    // Shaped as Ajv's: Fastify reads `schemaEnv` (to pass the parent for coercion) and `errors` of the compiled function.
    scope.setValidatorCompiler(() => {
      const validate = (
        data: { n?: unknown },
        context?: { parentData: Record<string, unknown>; parentDataProperty: string },
      ) => {
        if (typeof data.n === 'string' && /^\d+$/.test(data.n)) {
          if (context !== undefined) context.parentData[context.parentDataProperty] = { n: Number(data.n) };
          return true;
        }
        validate.errors = [
          { instancePath: '/n', message: 'must be integer', keyword: 'type', params: {}, schemaPath: '#' },
        ];
        return false;
      };
      validate.errors = null as unknown;
      validate.schemaEnv = {};
      return validate as never;
    });
    scope.post('/ajv-shaped', { schema: { querystring: { type: 'object' } } }, (request) => ({
      n: typeof (request.query as { n: unknown }).n,
    }));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(() => app.close());

describe('an error Fastify cannot write onto answers and is recorded as itself', () => {
  it.each(Object.keys(VALUES))('%s pg 23505 error', async (name) => {
    current = VALUES[name] as () => unknown;
    const wrong: string[] = [];
    for (const style of STYLES) {
      const { status, text, record } = await post(`/${style}`, name);
      const seen = { status, code: record?.error_code ?? (record?.error as { code?: unknown })?.code, text };
      if (
        status !== 409 ||
        !JSON.stringify(record).includes('users_email_key') ||
        !JSON.stringify(record).includes('23505')
      )
        wrong.push(`${style}: ${JSON.stringify(seen)} ${JSON.stringify(record)?.slice(0, 300)}`);
      if (text.includes('users_email_key') || text.includes('TypeError')) wrong.push(`${style} leaked: ${text}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('other values and the success path', () => {
  it('a string or undefined a serializer or validator throws is recorded as itself, not as a TypeError', async () => {
    const wrong: string[] = [];
    for (const [thrown, type] of [
      ['boom string', 'string'],
      [undefined, 'undefined'],
    ] as const) {
      current = () => thrown;
      for (const style of STYLES.filter((s) => s !== 'reply-serializer' && s !== 'validator-returns')) {
        const { status, record } = await post(`/${style}`);
        if (status !== 500 || record?.error_type !== type)
          wrong.push(`${style} ${type}: ${status} ${record?.error_type}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('an async validator rejecting with undefined fails the request instead of passing it', async () => {
    current = () => undefined;
    expect((await post('/validator-rejects')).status).toBe(500);
  });

  it("a formatter's frozen error still answers 400, the error kept in the record", async () => {
    current = VALUES.frozen as () => unknown;
    const { status, record } = await post('/formatter');
    expect(status).toBe(400);
    expect(JSON.stringify(record)).toContain('23505');
  });

  it('scope compilers and serializers keep working: success, and an ordinary validation failure', async () => {
    current = () => new Error('invalid a');
    const ok = await post('/scope-compilers');
    expect(ok).toMatchObject({ status: 200, text: '{"ok":true}!' });
    const invalid = await post('/scope-compilers', 'plain', '{"a":2}');
    expect(invalid.status).toBe(400);
    current = VALUES.frozen as () => unknown;
    expect((await post('/scope-compilers', 'plain', '{"a":2}')).status).toBe(409);
  });

  it('a reply serializer set before the plugin loaded is guarded too', async () => {
    const early = Fastify(faultlineServerOptions());
    early.setReplySerializer(() => {
      throw current();
    });
    await early.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    early.post('/early', () => ({ ok: true }));
    await early.listen({ host: '127.0.0.1', port: 0 });
    try {
      current = VALUES.frozen as () => unknown;
      const res = await fetch(`http://127.0.0.1:${(early.server.address() as { port: number }).port}/early`, {
        method: 'POST',
        signal: AbortSignal.timeout(5000),
      });
      await res.text();
      expect(res.status).toBe(409);
    } finally {
      await early.close();
    }
  });

  it('an Ajv-shaped validator set on a scope keeps its coercion and its violations', async () => {
    expect(await post('/ajv-shaped?n=5')).toMatchObject({ status: 200, text: '{"n":"number"}' });
    const invalid = await post('/ajv-shaped?n=x');
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.record)).toContain('querystring/n must be integer');
  });
});
