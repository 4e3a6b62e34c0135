/**
 * 404 or 405 when the path has a route for the request's own method but Fastify still ends in
 * the not-found handler: a route calling `reply.callNotFound()`, a route whose constraints (here
 * the host) did not match. Such a request is not a 405: the answer was a 405 whose `Allow` listed
 * the very method the client used. Real server, node:http client (GET, HEAD, DELETE).
 */
import { request as httpRequest } from 'node:http';
import { createReporter, isUuid } from '@faultline/core';
import { memoryLog, recordFor } from '@faultline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

interface Exchange {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

describe('not found on a path that has a route for the method', () => {
  const log = memoryLog();
  let app: FastifyInstance;
  let port = 0;

  beforeAll(async () => {
    app = Fastify(faultlineServerOptions()) as unknown as FastifyInstance;
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    app.get('/orders/:id', (_request, reply) => {
      reply.callNotFound();
    });
    app.get('/tenant', { constraints: { host: 'a.example' } }, () => ({ tenant: 'a' }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  const send = (method: string, path: string, host = 'api.example'): Promise<Exchange> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.setTimeout(3000, () => req.destroy(new Error(`${method} ${path} hung`)));
      req.on('error', reject);
      req.end();
    });

  it('reply.callNotFound() answers 404 NOT_FOUND, without Allow, recorded under the id', async () => {
    const res = await send('GET', '/orders/7');
    expect(res.status).toBe(404);
    expect(res.headers.allow).toBeUndefined();
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const body = JSON.parse(res.body) as { code: string; request_id: string };
    expect(body.code).toBe('NOT_FOUND');
    expect(isUuid(body.request_id)).toBe(true);
    expect(res.headers['x-request-id']).toBe(body.request_id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recordFor(log.records, body.request_id)).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('HEAD on it: the same status and headers, no body', async () => {
    const get = await send('GET', '/orders/7');
    const head = await send('HEAD', '/orders/7');
    expect(head.status).toBe(404);
    expect(head.body).toBe('');
    expect(head.headers.allow).toBeUndefined();
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(isUuid(head.headers['x-request-id'])).toBe(true);
  });

  it('a route whose host constraint does not match answers 404, not 405', async () => {
    expect((await send('GET', '/tenant', 'a.example')).status).toBe(200);
    const other = await send('GET', '/tenant', 'b.example');
    expect(other.status).toBe(404);
    expect(other.headers.allow).toBeUndefined();
    expect((JSON.parse(other.body) as { code: string }).code).toBe('NOT_FOUND');
  });

  it('another method on the path is still a 405 listing the route methods', async () => {
    const res = await send('DELETE', '/orders/7');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect((JSON.parse(res.body) as { code: string }).code).toBe('METHOD_NOT_ALLOWED');
  });
});
