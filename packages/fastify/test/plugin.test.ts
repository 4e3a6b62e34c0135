import { FaultError, isUuid } from '@faultline/core';
import { memoryLog, recordFor } from '@faultline/testkit';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { buildApp, expectNoSecrets } from './helpers.js';

const PROBLEM = 'application/problem+json; charset=utf-8';

function expectErrorHeaders(headers: Record<string, unknown>, id?: string) {
  expect(headers['content-type']).toBe(PROBLEM);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['cache-control']).toBe('no-store');
  expect(isUuid(headers['x-request-id'])).toBe(true);
  if (id !== undefined) expect(headers['x-request-id']).toBe(id);
}

describe('route errors', () => {
  it.each([
    ['/pg', 409, 'CONFLICT'],
    ['/refused', 503, 'UNAVAILABLE'],
    ['/sync', 500, 'INTERNAL'],
    ['/string', 500, 'INTERNAL'],
    ['/hostile', 500, 'INTERNAL'],
    ['/orders/7', 404, 'ORDER_NOT_FOUND'],
    ['/jwt', 401, 'UNAUTHENTICATED'],
    ['/unauthenticated', 401, 'UNAUTHENTICATED'],
  ])('GET %s -> %i %s, problem JSON, no secrets', async (url, status, code) => {
    const { app } = await buildApp();
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expectErrorHeaders(res.headers);
    const body = res.json();
    expect(body).toMatchObject({ status, code, request_id: res.headers['x-request-id'] });
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'request_id', 'status', 'title', 'type']);
    expectNoSecrets(res.body + JSON.stringify(res.headers));
  });

  it('ignores a foreign statusCode/expose on a thrown error', async () => {
    const { app } = await buildApp();
    const res = await app.inject('/pg');
    expect(res.statusCode).toBe(409);
  });

  it('keeps the catalog docs URI as type', async () => {
    const { app } = await buildApp();
    const res = await app.inject('/orders/7');
    expect(res.json()).toEqual({
      type: 'https://docs.example.com/errors/order-not-found',
      title: 'Not Found',
      status: 404,
      detail: 'The order does not exist.',
      code: 'ORDER_NOT_FOUND',
      request_id: res.headers['x-request-id'],
    });
  });

  it('adds WWW-Authenticate to 401 and Retry-After to 429/503', async () => {
    const { app } = await buildApp({ wwwAuthenticate: 'Bearer realm="orders"' });
    expect((await app.inject('/unauthenticated')).headers['www-authenticate']).toBe('Bearer realm="orders"');
    expect((await app.inject('/quota')).headers['retry-after']).toBe('30');
    expect((await app.inject('/refused')).headers['retry-after']).toBe('5');
  });

  it('logs the full redacted record under the id the client got', async () => {
    const { app, records } = await buildApp();
    const res = await app.inject('/refused');
    await app.close();
    const record = records.find((r) => r.request_id === res.headers['x-request-id']);
    expect(record).toMatchObject({
      code: 'UNAVAILABLE',
      status: 503,
      protocol: 'http',
      method: 'GET',
      route: '/refused',
      classifier: 'net',
    });
    expect(JSON.stringify(record)).toContain('ECONNREFUSED');
    expect(JSON.stringify(record)).not.toContain('hunter2');
  });

  it('answers the envelope format when asked', async () => {
    const { app } = await buildApp({ format: 'envelope' });
    const res = await app.inject('/pg');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({
      error: { status: 409, code: 'CONFLICT', message: expect.any(String), request_id: res.headers['x-request-id'] },
    });
  });

  it('conceals 403 as 404 when asked, keeping the real category in the log', async () => {
    const { app, records } = await buildApp({ concealForbidden: true });
    const res = await app.inject('/forbidden');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND', title: 'Not Found' });
    await app.close();
    expect(records.find((r) => r.request_id === res.headers['x-request-id'])).toMatchObject({ code: 'FORBIDDEN' });
    const plain = await buildApp();
    expect((await plain.app.inject('/forbidden')).statusCode).toBe(403);
  });
});

describe('request ids', () => {
  it('reuses a UUID X-Request-ID and replaces anything else', async () => {
    const { app, records } = await buildApp();
    const id = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
    const reused = await app.inject({ url: '/sync', headers: { 'x-request-id': id } });
    expectErrorHeaders(reused.headers, id);
    expect(reused.json().request_id).toBe(id);
    const hostile = await app.inject({
      url: '/sync',
      headers: { 'x-request-id': '"}<script>alert(1)</script>\u001b[31m' },
    });
    expect(hostile.headers['x-request-id']).not.toContain('script');
    expectNoSecrets(hostile.body, ['alert']);
    await app.close();
    // The refused value is logged (escaped) with the id that replaced it, never reflected.
    const record = recordFor(records, hostile.headers['x-request-id']);
    expect(record?.rejected_request_id).toBe('\\x22}<script>alert(1)</script>\\x1b[31m');
  });

  it('keeps an upper-case UUID, lower-cased, and does not log it as refused', async () => {
    const { app, records } = await buildApp();
    const upper = '3F1C2A9E-8B7D-4C6E-9F0A-1B2C3D4E5F60';
    const res = await app.inject({ url: '/sync', headers: { 'x-request-id': upper } });
    expectErrorHeaders(res.headers, upper.toLowerCase());
    expect(res.json().request_id).toBe(upper.toLowerCase());
    await app.close();
    const record = records.find((r) => r.request_id === upper.toLowerCase());
    expect(record).toBeDefined();
    expect(record?.attributes).toBeUndefined();
  });

  it("checks an application's own genReqId: a non-UUID id is never echoed, and the answer gets a fresh UUID", async () => {
    // The plugin trusts without a second check only the id Faultline's genReqId just issued.
    const app = Fastify({ ...faultlineServerOptions(), genReqId: () => 'req-1\r\nx: y', logger: false });
    await app.register(faultline, { reporter: false });
    app.get('/fail', async () => {
      throw new Error('boom');
    });
    app.get('/ok', async () => ({ ok: true }));
    const ok = await app.inject('/ok');
    expect(ok.headers['x-request-id']).toBeUndefined();
    const failed = await app.inject('/fail');
    expect(failed.statusCode).toBe(500);
    expectErrorHeaders(failed.headers);
    expect(failed.json().request_id).toBe(failed.headers['x-request-id']);
    expect(failed.body).not.toContain('req-1');
    await app.close();
  });

  it('sends X-Request-ID on successful responses too, equal to request.id', async () => {
    const { app } = await buildApp();
    const res = await app.inject('/ok');
    expect(res.statusCode).toBe(200);
    expect(isUuid(res.headers['x-request-id'])).toBe(true);
  });
});

describe('404 and 405', () => {
  it('answers 404 generically, never echoing the URL', async () => {
    const { app } = await buildApp();
    const res = await app.inject('/missing/<script>?q=hunter2');
    expect(res.statusCode).toBe(404);
    expectErrorHeaders(res.headers);
    expect(res.json().code).toBe('NOT_FOUND');
    expectNoSecrets(res.body, ['missing']);
  });

  it('answers 405 with Allow when the path exists for other methods', async () => {
    const { app } = await buildApp();
    const res = await app.inject({ method: 'DELETE', url: '/orders/7' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.json().code).toBe('METHOD_NOT_ALLOWED');
    const post = await app.inject({ method: 'PUT', url: '/users' });
    expect(post.headers.allow).toBe('POST');
  });

  it('can leave 405 detection off', async () => {
    const { app } = await buildApp({ methodNotAllowed: false });
    expect((await app.inject({ method: 'DELETE', url: '/orders/7' })).statusCode).toBe(404);
  });
});

describe('body and validation errors', () => {
  it('turns schema validation into pointers with generic text, no patterns or values', async () => {
    const { app } = await buildApp({}, { ajv: { customOptions: { allErrors: true, removeAdditional: false } } });
    const res = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { email: 'NOT-AN-EMAIL-hunter2', age: -1, extra: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        { pointer: '/email', detail: 'Does not match the expected pattern.' },
        { pointer: '/age', detail: 'Is below the minimum.' },
        { pointer: '', detail: 'Is not allowed.' },
      ]),
    );
    expectNoSecrets(res.body, ['a-z', 'NOT-AN-EMAIL', 'extra', '#/properties', 'must']);
  });

  it('points at the query string for querystring errors', async () => {
    const { app } = await buildApp();
    const res = await app.inject({ method: 'POST', url: '/users?limit=99', payload: { email: 'a@b' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ pointer: '/query/limit', detail: 'Is above the maximum.' }]);
  });

  it('answers malformed JSON, empty JSON, wrong content type and too large bodies', async () => {
    const { app } = await buildApp({}, { bodyLimit: 64 });
    const bad = await app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": hunter2',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    expectNoSecrets(bad.body, ['Unexpected', 'JSON']);
    const empty = await app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(400);
    const type = await app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'text/x-hunter2' },
      payload: 'x',
    });
    expect(type.statusCode).toBe(415);
    expect(type.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expectNoSecrets(type.body);
    const big = await app.inject({ method: 'POST', url: '/users', payload: { email: 'x'.repeat(200) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a bad URL (frameworkErrors) without echoing it', async () => {
    const { app } = await buildApp();
    const res = await app.inject({ method: 'GET', url: '/orders/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expectErrorHeaders(res.headers);
    expectNoSecrets(res.body, ['%E0', 'orders']);
  });
});

describe('failures on the error path', () => {
  it('sends the first problem body when an onSend hook throws on the error path', async () => {
    const { app, records } = await buildApp();
    app.addHook('onSend', async (request) => {
      if (request.url === '/sync') throw new Error('hook secret hunter2');
    });
    const res = await app.inject('/sync');
    expect(res.statusCode).toBe(500);
    expectErrorHeaders(res.headers);
    expect(res.json().request_id).toBe(res.headers['x-request-id']);
    expectNoSecrets(res.body);
    await app.close();
    const ids = records.filter((r) => r.request_id === res.headers['x-request-id']);
    expect(ids.length).toBe(2); // the route error and the hook error, one id
  });

  it('falls back to Faultline when a scope error handler throws', async () => {
    const { app } = await buildApp();
    await app.register(async (scope) => {
      scope.setErrorHandler(() => {
        throw new Error('handler secret hunter2');
      });
      scope.get('/scoped', async () => {
        throw new Error('route secret');
      });
    });
    const res = await app.inject('/scoped');
    expect(res.statusCode).toBe(500);
    expectErrorHeaders(res.headers);
    expectNoSecrets(res.body);
  });

  it('lets a scope error handler answer when it does', async () => {
    const { app } = await buildApp();
    await app.register(async (scope) => {
      scope.setErrorHandler((_error, _request, reply) => {
        reply.code(418).send({ mine: true });
      });
      scope.get('/mine', async () => {
        throw new Error('route secret');
      });
    });
    const res = await app.inject('/mine');
    expect(res.statusCode).toBe(418);
    expect(res.json()).toEqual({ mine: true });
  });

  it('is not reshaped by response schemas, reply serializers or preSerialization hooks', async () => {
    const { app } = await buildApp();
    app.setReplySerializer(() => '{"serialized":"hunter2"}');
    app.addHook('preSerialization', async () => ({ reshaped: 'hunter2' }));
    app.get(
      '/schema',
      { schema: { response: { '5xx': { type: 'object', properties: { message: { type: 'string' } } } } } },
      async (_req, reply) => {
        reply.serializer(() => '{"per-reply":"hunter2"}');
        throw new Error('route secret');
      },
    );
    const res = await app.inject('/schema');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'INTERNAL', status: 500 });
    expectNoSecrets(res.body);
  });

  it('aborts a response whose headers were already sent, and logs it', async () => {
    const { app, records } = await buildApp();
    app.get('/partial', async (_req, reply) => {
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      reply.raw.write('partial');
      throw new Error('route secret after headers');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const outcome = await fetch(`http://127.0.0.1:${port}/partial`).then(
      (r) =>
        r.text().then(
          () => 'complete',
          () => 'aborted',
        ),
      () => 'aborted',
    );
    expect(outcome).toBe('aborted');
    await app.close();
    expect(records.some((r) => JSON.stringify(r).includes('route secret after headers'))).toBe(true);
  });

  it('removes success-body headers set before the error', async () => {
    const { app } = await buildApp();
    app.get('/headers', async (_req, reply) => {
      reply
        .header('etag', '"v1"')
        .header('content-disposition', 'attachment; filename=secret.csv')
        .header('location', '/x');
      throw new Error('route secret');
    });
    const res = await app.inject('/headers');
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.headers.location).toBeUndefined();
  });
});

describe('shutdown', () => {
  it.each([
    ['a route', '/ok'],
    ['a route with preHandler hooks', '/hooked'],
    ['no route (the 404 handler)', '/missing'],
  ])('answers 503 problem JSON with Retry-After while closing: %s', async (_label, path) => {
    const app = Fastify({ ...faultlineServerOptions() });
    await app.register(faultline, { reporter: false });
    let release: () => void = () => {};
    let handled = 0;
    app.get(
      '/slow',
      () =>
        new Promise((resolve) => {
          release = () => resolve({ done: true });
        }),
    );
    app.get('/ok', async () => {
      handled += 1;
      return { ok: true };
    });
    app.get('/hooked', { preHandler: async () => undefined }, async () => {
      handled += 1;
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const { Agent, request } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (target: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: target, agent }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    expect((await get('/ok')).status).toBe(200);
    const slow = get('/slow');
    await new Promise((r) => setTimeout(r, 50));
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 50));
    // Queued behind /slow on the same keep-alive socket: it reaches the server while it closes.
    const duringPromise = get(path);
    release();
    expect((await slow).status).toBe(200);
    const during = await duringPromise;
    await closing;
    agent.destroy();
    expect(during.status).toBe(503);
    expect(during.headers['content-type']).toBe(PROBLEM);
    expect(during.headers['retry-after']).toBe('5');
    expect(during.headers.connection).toBe('close');
    const body = JSON.parse(during.body) as { code: string; request_id: string };
    expect(body.code).toBe('UNAVAILABLE');
    expect(during.headers['x-request-id']).toBe(body.request_id);
    // Only the request before the close reached a handler.
    expect(handled).toBe(1);
  });
});

describe('FaultError helpers', () => {
  it('exposes retry-after from FaultError on 503', async () => {
    const app = Fastify({ ...faultlineServerOptions() });
    await app.register(faultline, { reporter: false });
    app.get('/down', async () => {
      throw FaultError.of('unavailable', { retryAfter: 12 });
    });
    const res = await app.inject('/down');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('12');
  });
});

describe('default reporter through the server logger', () => {
  it('writes the record through app.log with the error tree intact', async () => {
    const { logger, records: lines } = memoryLog();
    // Fastify's default logger serializes `err` with pino's standard serializer: keep that here.
    const withErrSerializer = logger.child({}, { level: 'warn', serializers: { err: pino.stdSerializers.err } });
    const app = Fastify({ ...faultlineServerOptions(), loggerInstance: withErrSerializer });
    await app.register(faultline);
    app.get('/pg', async () => {
      throw Object.assign(new Error('duplicate key "users_email_key" password=hunter2'), {
        code: '23505',
        severity: 'ERROR',
        table: 'users',
      });
    });
    const res = await app.inject('/pg');
    await app.close();
    const record = lines.find((l) => l.request_id === res.headers['x-request-id']);
    expect(record).toMatchObject({
      level: 40,
      code: 'CONFLICT',
      error: { type: 'Error', table: 'users', code: '23505' },
    });
    expect(JSON.stringify(record)).not.toContain('hunter2');
  });
});
