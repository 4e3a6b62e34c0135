/**
 * JSON:API on Fastify over real sockets: `format: 'jsonapi'` answers (route errors, validation of
 * body, query and headers, 404, 405, malformed HTTP) as JSON:API 1.1 documents that the JSON:API
 * project's schema accepts, with the media type sent bare (no charset) and the usual headers;
 * `format: 'negotiate'` picking the format from `Accept` for curl and fetch over HTTP/1.1 and
 * curl and node:http2 over h2c, with `Vary: Accept`; hostile `Accept` headers answered at once
 * without reaching the body; and `strictJsonApi`'s 415 and 406.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:http2';
import { promisify } from 'node:util';
import { defineCatalog, isUuid } from '@faultline/core';
import { jsonApiSchemaErrors, rawHttpExchange } from '@faultline/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultlineFastifyOptions } from '../src/index.js';
import { buildApp, expectNoSecrets } from './helpers.js';

const run = promisify(execFile);
const JSONAPI = 'application/vnd.api+json';

const catalog = defineCatalog({
  JA_ITEMS_LIMIT: {
    category: 'validation',
    message: 'At most {limit} items.',
    params: { limit: 'integer' },
    type: 'https://docs.example.com/errors/items-limit',
  },
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly httpVersion?: string;
}

async function curl(url: string, args: readonly string[] = []): Promise<Answer> {
  const { stdout } = await run('curl', ['-sS', '-i', '--max-time', '10', ...args, url], {
    encoding: 'utf8',
    maxBuffer: 4 * 1024 * 1024,
  });
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, split).split('\r\n');
  const [, httpVersion = '', status = '0'] = /^HTTP\/([\d.]+) (\d{3})/.exec(head[0] ?? '') ?? [];
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(status), headers, body: stdout.slice(split + 4), httpVersion };
}

async function fetchAnswer(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

function h2Answer(base: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = connect(base);
    session.on('error', reject);
    const stream = session.request({ ':path': path, ...headers });
    const timer = setTimeout(() => reject(new Error(`h2 ${path} hung`)), 10_000);
    let head: Record<string, string> = {};
    let body = '';
    stream.on('response', (h) => {
      head = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
    });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      body += chunk;
    });
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      resolve({ status: Number(head[':status']), headers: head, body, httpVersion: '2' });
    });
    stream.on('error', reject);
    stream.end();
  });
}

type Doc = { errors: Record<string, unknown>[]; meta?: unknown };

/** A JSON:API answer: exact media type, the usual headers, a schema-valid document sharing the request id. */
function expectJsonApi(answer: Answer, status: number, code: string): Doc {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe(JSONAPI);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['cache-control']).toBe('no-store');
  const id = answer.headers['x-request-id'];
  expect(isUuid(id)).toBe(true);
  const document = JSON.parse(answer.body) as Doc;
  expect(jsonApiSchemaErrors(document)).toEqual([]);
  expect(document.errors[0]).toMatchObject({ id, status: String(status), code });
  for (const error of document.errors) expect(error.id).toBe(id);
  expectNoSecrets(answer.body + JSON.stringify(answer.headers));
  return document;
}

async function serve(
  options: FaultlineFastifyOptions,
  server: object = {},
): Promise<{ app: FastifyInstance; base: string }> {
  const { app } = await buildApp(options, server);
  app.post(
    '/items',
    {
      schema: {
        headers: {
          type: 'object',
          required: ['x-tenant'],
          properties: { 'x-tenant': { type: 'string', minLength: 3 } },
        },
        querystring: { type: 'object', properties: { limit: { type: 'integer', maximum: 10 } } },
      },
    },
    async () => ({ ok: true }),
  );
  app.post(
    '/articles',
    {
      schema: {
        body: {
          type: 'object',
          required: ['data'],
          properties: {
            data: {
              type: 'object',
              required: ['type', 'attributes'],
              properties: {
                type: { const: 'articles' },
                attributes: {
                  type: 'object',
                  required: ['title'],
                  properties: { title: { type: 'string', minLength: 1 }, words: { type: 'integer', minimum: 0 } },
                },
              },
            },
          },
        },
      },
    },
    async () => ({ ok: true }),
  );
  app.get('/limit', async () => {
    throw catalog.JA_ITEMS_LIMIT({ params: { limit: 100 }, cause: new Error('hunter2') });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { app, base: `http://127.0.0.1:${port}` };
}

describe("format: 'jsonapi'", () => {
  let app: FastifyInstance;
  let base = '';
  beforeAll(async () => {
    ({ app, base } = await serve({ format: 'jsonapi' }));
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['/sync', [], 500, 'INTERNAL'],
    ['/pg', [], 409, 'CONFLICT'],
    ['/orders/42', [], 404, 'ORDER_NOT_FOUND'],
    ['/missing?q=hunter2', [], 404, 'NOT_FOUND'],
    ['/orders/42', ['-X', 'DELETE'], 405, 'METHOD_NOT_ALLOWED'],
    ['/quota', [], 429, 'ORDER_QUOTA'],
    ['/users', ['-H', 'content-type: text/x-hunter2', '--data', 'x'], 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['/users', ['-H', 'content-type: application/json', '--data', '{"email": hunter2'], 400, 'VALIDATION_FAILED'],
  ])('%s %j -> %i %s as JSON:API (curl)', async (path, args, status, code) => {
    expectJsonApi(await curl(`${base}${path}`, args), status, code);
  });

  it('links the catalog docs URI as links.type and the public params as meta', async () => {
    const [error] = expectJsonApi(await fetchAnswer(`${base}/orders/42`), 404, 'ORDER_NOT_FOUND').errors;
    expect(error?.links).toEqual({ type: 'https://docs.example.com/errors/order-not-found' });
    const [limit] = expectJsonApi(await fetchAnswer(`${base}/limit`), 400, 'JA_ITEMS_LIMIT').errors;
    expect(limit).toMatchObject({ detail: 'At most 100 items.', meta: { limit: 100 } });
  });

  it('writes one error object per violation of the body, with JSON Pointers into the JSON:API document', async () => {
    const answer = await fetchAnswer(`${base}/articles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { type: 'articles', attributes: { title: '', words: -1 } } }),
    });
    const { errors } = expectJsonApi(answer, 400, 'VALIDATION_FAILED');
    expect(errors[0]).not.toHaveProperty('source');
    expect(errors.slice(1).map((e) => e.source)).toEqual(
      expect.arrayContaining([{ pointer: '/data/attributes/title' }]),
    );
  });

  it('points a query violation at the parameter and a header violation at the header', async () => {
    const query = expectJsonApi(
      await fetchAnswer(`${base}/items?limit=99`, { method: 'POST', headers: { 'x-tenant': 'acme' } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(query.errors[1]).toMatchObject({ source: { parameter: 'limit' }, detail: 'Is above the maximum.' });
    const header = expectJsonApi(
      await fetchAnswer(`${base}/items`, { method: 'POST', headers: { 'x-tenant': 'a' } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(header.errors[1]).toMatchObject({ source: { header: 'x-tenant' } });
  });

  it('answers malformed HTTP on the raw socket in JSON:API too', async () => {
    const { port } = app.server.address() as { port: number };
    const raw = await rawHttpExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw.toLowerCase()).toContain(`content-type: ${JSONAPI}\r\n`);
    const document = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    expect(jsonApiSchemaErrors(document)).toEqual([]);
  });
});

const ACCEPTS: [string | undefined, 'problem' | 'envelope' | 'jsonapi'][] = [
  [undefined, 'problem'],
  ['*/*', 'problem'],
  ['text/html', 'problem'],
  [JSONAPI, 'jsonapi'],
  ['application/json', 'envelope'],
  ['application/problem+json', 'problem'],
  [`application/json;q=0.4, ${JSONAPI};q=0.8, */*;q=0.1`, 'jsonapi'],
  [`${JSONAPI};q=0.3, application/json`, 'envelope'],
  [`${JSONAPI}; charset=utf-8, application/problem+json;q=0.5`, 'problem'],
];

function formatOf(answer: Answer): string {
  const type = answer.headers['content-type'] ?? '';
  if (type === JSONAPI) {
    expect(jsonApiSchemaErrors(JSON.parse(answer.body))).toEqual([]);
    return 'jsonapi';
  }
  if (type.startsWith('application/problem+json')) return 'problem';
  if (type.startsWith('application/json')) return 'envelope';
  return type;
}

describe.each([
  ['HTTP/1.1', false],
  ['HTTP/2 (h2c)', true],
] as const)("format: 'negotiate' over %s", (_label, http2) => {
  let app: FastifyInstance;
  let base = '';
  beforeAll(async () => {
    ({ app, base } = await serve(
      { format: 'negotiate' },
      http2 ? { http2: true } : { http: { maxHeaderSize: 256 * 1024 } },
    ));
  });
  afterAll(async () => {
    await app.close();
  });

  const viaCurl = (accept: string | undefined, path = '/orders/42') =>
    curl(`${base}${path}`, [
      http2 ? '--http2-prior-knowledge' : '--http1.1',
      ...(accept === undefined ? ['-H', 'Accept:'] : ['-H', `Accept: ${accept}`]),
    ]);

  it.each(ACCEPTS)('curl Accept %j -> %s, with Vary: Accept', async (accept, format) => {
    const answer = await viaCurl(accept);
    expect(answer.httpVersion).toBe(http2 ? '2' : '1.1');
    expect(answer.status).toBe(404);
    expect(formatOf(answer)).toBe(format);
    expect(answer.headers.vary).toBe('Accept');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toContain(answer.headers['x-request-id']);
  });

  it.each(ACCEPTS)('%s Accept %j -> %s', async (accept, format) => {
    const headers: Record<string, string> = accept === undefined ? {} : { accept };
    const answer = http2 ? await h2Answer(base, '/sync', headers) : await fetchAnswer(`${base}/sync`, { headers });
    expect(answer.status).toBe(500);
    // fetch sends `Accept: */*` when none is given: the default either way.
    expect(formatOf(answer)).toBe(format);
    expect(answer.headers.vary).toBe('Accept');
    expectNoSecrets(answer.body);
  });

  const hostile: Record<string, string> = {
    // HTTP/2 header lists are bounded by the peer's settings (64 KB in nghttp2): a large one there.
    '64 KB': `${JSONAPI}${`, application/x-${'z'.repeat(60)}`.repeat(http2 ? 200 : 1000)}`,
    'thousands of types': Array.from({ length: http2 ? 1500 : 4000 }, (_, i) => `text/x-${i}`).join(','),
    'junk q-values': Array.from({ length: 2000 }, (_, i) => `application/json;q=${i}e-x`).join(','),
    'quotes and parameters': `${JSONAPI};profile="${'\\"'.repeat(5000)}`,
  };

  it.each(Object.entries(hostile))(
    'hostile Accept (%s) is answered in a bounded format and never reaches the body',
    async (_name, accept) => {
      const answer = http2
        ? await h2Answer(base, '/sync', { accept })
        : await fetchAnswer(`${base}/sync`, { headers: { accept } });
      expect(answer.status).toBe(500);
      expect(['problem', 'envelope', 'jsonapi']).toContain(formatOf(answer));
      expect(answer.body.length).toBeLessThan(400);
      expect(answer.body).not.toContain('text/x-');
      expect(answer.body).not.toContain('zzzz');
    },
  );

  it('a CRLF in Accept never reaches the answer', async () => {
    // curl writes the CRLF as it is: the server sees a second header line (or refuses the request).
    const answer = await viaCurl(`${JSONAPI}\r\nX-Injected: hunter2`, '/sync');
    expect([500, 400]).toContain(answer.status);
    expect(answer.body).not.toContain('X-Injected');
    expectNoSecrets(answer.body + JSON.stringify(answer.headers));
    if (!http2) {
      const { port } = app.server.address() as { port: number };
      const raw = await rawHttpExchange(
        port,
        `GET /sync HTTP/1.1\r\nHost: x\r\nAccept: ${JSONAPI}\rX-Injected: hunter2\r\n\r\n`,
      );
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).not.toContain('X-Injected');
    }
  });
});

describe('strictJsonApi', () => {
  let app: FastifyInstance;
  let base = '';
  beforeAll(async () => {
    ({ app, base } = await serve({ strictJsonApi: true }));
  });
  afterAll(async () => {
    await app.close();
  });

  it('refuses a JSON:API Content-Type with parameters other than profile with 415, before reading the body', async () => {
    const answer = await curl(`${base}/articles`, [
      '-H',
      `content-type: ${JSONAPI}; charset=utf-8`,
      '--data',
      '{"data":',
    ]);
    expectJsonApi(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const ext = await curl(`${base}/articles`, [
      '-H',
      `content-type: ${JSONAPI}; ext="https://example.com/ext"`,
      '--data',
      '{}',
    ]);
    expectJsonApi(ext, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses an Accept whose every JSON:API type has such parameters with 406', async () => {
    const answer = await curl(`${base}/orders/42`, [
      '-H',
      `accept: ${JSONAPI}; charset=utf-8, ${JSONAPI}; ext="https://example.com/ext"`,
    ]);
    expectJsonApi(answer, 406, 'NOT_ACCEPTABLE');
  });

  it('serves JSON:API requests with profiles, and parses JSON:API bodies as JSON', async () => {
    const profile = `${JSONAPI}; profile="https://example.com/profile"`;
    const answer = await fetchAnswer(`${base}/articles`, {
      method: 'POST',
      headers: { 'content-type': profile, accept: profile },
      body: JSON.stringify({ data: { type: 'articles', attributes: { title: 'Hello' } } }),
    });
    expect(answer.status).toBe(200);
    const invalid = await fetchAnswer(`${base}/articles`, {
      method: 'POST',
      headers: { 'content-type': JSONAPI },
      body: JSON.stringify({ data: { type: 'articles', attributes: {} } }),
    });
    expect(expectJsonApi(invalid, 400, 'VALIDATION_FAILED').errors[1]).toMatchObject({
      source: { pointer: '/data/attributes/title' },
    });
    const poisoned = await fetchAnswer(`${base}/articles`, {
      method: 'POST',
      headers: { 'content-type': JSONAPI },
      body: '{"__proto__":{"polluted":1},"data":{}}',
    });
    expectJsonApi(poisoned, 400, 'VALIDATION_FAILED');
  });

  it('refuses contradictory options at registration', async () => {
    await expect(buildApp({ strictJsonApi: true, format: 'problem' }).then(({ app: a }) => a.ready())).rejects.toThrow(
      /strictJsonApi/,
    );
    await expect(buildApp({ defaultFormat: 'jsonapi' }).then(({ app: a }) => a.ready())).rejects.toThrow(/negotiate/);
    await expect(buildApp({ format: 'xml' as unknown as 'jsonapi' }).then(({ app: a }) => a.ready())).rejects.toThrow(
      /format/,
    );
  });
});
