import type { ClientHttp2Session } from 'node:http2';
import { createReporter, defineCatalog, FaultError } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type FaultlineFastifyOptions, faultline, faultlineServerOptions } from '../src/index.js';

/** Secrets planted in thrown values: none may ever reach a response. */
export const SECRETS = [
  'hunter2',
  'users_email_key',
  'SELECT',
  '/srv/app',
  'db.internal',
  '10.0.0.5',
  'sk_live_',
  'AKIAIOSFODNN7EXAMPLE',
  'route secret',
  'hook secret',
  'handler secret',
  'at ',
  'node_modules',
  '<script>',
];

export const errors = defineCatalog({
  ORDER_NOT_FOUND: {
    category: 'not_found',
    message: 'The order does not exist.',
    type: 'https://docs.example.com/errors/order-not-found',
  },
  ORDER_QUOTA: { category: 'rate_limited', message: 'Too many orders. Retry later.' },
});

/** Routes that fail the way real services fail. */
export function addFailingRoutes(app: FastifyInstance): void {
  app.get('/pg', async () => {
    throw Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      name: 'DatabaseError',
      code: '23505',
      severity: 'ERROR',
      detail: 'Key (email)=(a@b.c) already exists.',
      table: 'users',
      statusCode: 418,
      expose: true,
    });
  });
  app.get('/refused', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2'), { code: 'ECONNREFUSED' });
  });
  app.get('/sync', () => {
    throw new Error('route secret at /srv/app/src/db.ts:12 SELECT * FROM users');
  });
  app.get('/string', () => {
    throw 'route secret hunter2';
  });
  app.get('/hostile', () => {
    throw new Proxy(
      {},
      {
        get: () => {
          throw new Error('route secret');
        },
      },
    );
  });
  app.get('/orders/:id', async () => {
    throw errors.ORDER_NOT_FOUND({ cause: new Error('SELECT * FROM orders -- hunter2') });
  });
  app.get('/quota', async () => {
    throw errors.ORDER_QUOTA({ retryAfter: 30 });
  });
  app.get('/forbidden', async () => {
    throw FaultError.of('forbidden', { cause: new Error('route secret') });
  });
  // Returned (not thrown) errors take the error path too.
  app.get('/unauthenticated', async () => FaultError.of('unauthenticated'));
  app.get('/jwt', async () => {
    throw Object.assign(new Error('jwt expired sk_live_abc'), { name: 'TokenExpiredError' });
  });
  app.post(
    '/users',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email'],
          additionalProperties: false,
          properties: { email: { type: 'string', pattern: '^[a-z]+@[a-z]+$' }, age: { type: 'integer', minimum: 0 } },
        },
        querystring: { type: 'object', properties: { limit: { type: 'integer', maximum: 10 } } },
      },
    },
    async () => ({ ok: true }),
  );
  app.get('/ok', async () => ({ ok: true }));
}

/** A Fastify server with Faultline, the failing routes and an in-memory log. */
export async function buildApp(
  pluginOptions: FaultlineFastifyOptions = {},
  serverOptions: FastifyServerOptions = {},
): Promise<{ app: FastifyInstance; records: Record<string, unknown>[] }> {
  const { logger, records } = memoryLog();
  const app = Fastify({ ...faultlineServerOptions(), ...serverOptions });
  await app.register(faultline, { reporter: createReporter({ logger, flushOnExit: false }), ...pluginOptions });
  addFailingRoutes(app);
  return { app, records };
}

/** Asserts that no planted secret (nor the given extra strings) appears in `text`. */
export function expectNoSecrets(text: string, extra: readonly string[] = []): void {
  for (const secret of [...SECRETS, ...extra]) {
    if (text.includes(secret)) throw new Error(`response leaks ${JSON.stringify(secret)}: ${text}`);
  }
}

/** An HTTP answer as a test reads it: status, lower-case headers, body text. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** POSTs `body` as JSON to `url` with undici fetch (`headers` added), bounded by `timeoutMs`. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const seen: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    seen[name] = value;
  });
  return { status: response.status, headers: seen, body: await response.text() };
}

/** POSTs `body` as JSON on an HTTP/2 `session` (`headers` added); rejects when no answer comes in `timeoutMs`. */
export function postJsonH2(
  session: ClientHttp2Session,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/json',
      ...headers,
    });
    const timer = setTimeout(() => reject(new Error(`h2 ${path} hung`)), timeoutMs);
    let seen: Record<string, string> = {};
    let text = '';
    stream.on('response', (h) => {
      seen = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
    });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
    });
    stream.on('end', () => {
      clearTimeout(timer);
      resolve({ status: Number(seen[':status']), headers: seen, body: text });
    });
    stream.on('error', reject);
    stream.end(JSON.stringify(body));
  });
}
