/** The demo exposes its OpenAPI document (valid 3.1) and a docs page for every code its catalog defines. */
import { validate } from '@readme/openapi-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errors } from '../src/catalog.js';
import { buildHttpApp } from '../src/http-app.js';
import { startUpstreams, type Upstreams } from '../src/upstreams.js';

let upstreams: Upstreams;
let app: FastifyInstance;
let base = '';
beforeAll(async () => {
  upstreams = await startUpstreams();
  app = await buildHttpApp({ upstreams, logLevel: 'silent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app.close();
  await upstreams.close();
});

describe('demo OpenAPI and docs pages', () => {
  it('serves a valid OpenAPI 3.1 document listing each route’s codes', async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, JSON.stringify((result as { errors?: unknown }).errors)).toBe(true);
    expect(JSON.stringify(document.paths['/orders/{id}']?.get?.responses['404'])).toContain('ORDER_NOT_FOUND');
    expect(JSON.stringify(document.paths['/admin/orders']?.get?.responses['403'])).toContain('ADMIN_ONLY');
  });

  it('serves a docs page for every catalog code, at the last segment of its type URI', async () => {
    for (const definition of errors.definitions.values()) {
      const slug = /\/([a-z0-9-]+)$/.exec(definition.type)?.[1] ?? definition.code.toLowerCase().replace(/_/g, '-');
      const response = await fetch(`${base}/errors/${slug}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(`<code>${definition.code}</code>`);
    }
    expect((await fetch(`${base}/errors/no-such-page`)).status).toBe(404);
  });
});
