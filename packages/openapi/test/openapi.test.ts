/**
 * The catalog on every surface: an OpenAPI 3.1 document built from a real Fastify app's routes
 * (collected with onRoute) validates with a well-kept validator; every route lists the framework's
 * errors and its declared codes; every code has a docs page, and every catalog `type` URI
 * resolves to one.
 */

import { defineCatalog, TAXONOMY } from '@faultline/core';
import { validate } from '@readme/openapi-parser';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { collectRoutes, docsPages, documentedCodes, openApiDocument } from '../src/index.js';

const errors = defineCatalog({
  OAS_ORDER_NOT_FOUND: {
    category: 'not_found',
    message: 'The order does not exist.',
    type: 'https://docs.example.com/errors/order-not-found',
  },
  OAS_ORDER_LOCKED: { category: 'conflict', message: 'The order is being changed.' },
});

async function routes() {
  const app = Fastify({ logger: false });
  const collected = collectRoutes(app);
  app.get('/orders/:id', { config: { faultlineCodes: ['OAS_ORDER_NOT_FOUND'] } }, async () => ({}));
  app.post('/orders', { config: { faultlineCodes: ['OAS_ORDER_LOCKED', 'CONFLICT'] } }, async () => ({}));
  await app.ready();
  await app.close();
  return collected;
}

describe('OpenAPI 3.1', () => {
  it.each(['problem', 'envelope'] as const)('validates (%s) and lists every route response', async (format) => {
    const document = openApiDocument({
      title: 'Orders',
      version: '1.0.0',
      routes: await routes(),
      catalogs: [errors],
      format,
    }) as {
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<
              string,
              { $ref?: string; content?: Record<string, { examples?: Record<string, unknown> }> }
            >;
          }
        >
      >;
      components: { responses: Record<string, unknown> };
    };
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, JSON.stringify((result as { errors?: unknown }).errors)).toBe(true);
    const get = document.paths['/orders/{id}']?.get?.responses ?? {};
    const post = document.paths['/orders']?.post?.responses ?? {};
    // 404 has two codes on GET (the route's and the framework's): examples per code.
    expect(
      Object.keys(
        get['404']?.content?.[format === 'problem' ? 'application/problem+json' : 'application/json']?.examples ?? {},
      ),
    ).toEqual(['NOT_FOUND', 'OAS_ORDER_NOT_FOUND']);
    expect(get['400']).toBeUndefined();
    expect(post['400']).toEqual({ $ref: '#/components/responses/VALIDATION_FAILED' });
    expect(post['413']).toEqual({ $ref: '#/components/responses/PAYLOAD_TOO_LARGE' });
    expect(
      Object.keys(
        post['409']?.content?.[format === 'problem' ? 'application/problem+json' : 'application/json']?.examples ?? {},
      ),
    ).toEqual(['CONFLICT', 'OAS_ORDER_LOCKED']);
    expect(Object.keys(document.components.responses)).toEqual(
      expect.arrayContaining(['OAS_ORDER_LOCKED', 'INTERNAL', 'RATE_LIMITED']),
    );
  });

  it('refuses a route that declares a code no catalog defines', () => {
    expect(() =>
      openApiDocument({ title: 'x', version: '1', routes: [{ method: 'GET', url: '/', codes: ['NOPE_CODE'] }] }),
    ).toThrow(/NOPE_CODE/);
  });
});

describe('docs pages', () => {
  const pages = docsPages([errors], { title: 'Orders errors', domain: 'orders.example.com' });

  it('has a page for every code, an index and a gRPC view', () => {
    for (const code of documentedCodes([errors])) expect(pages.has(`${code.slug}.html`)).toBe(true);
    expect(pages.get('index.html')).toContain('OAS_ORDER_LOCKED');
    expect(pages.get('grpc.html')).toContain('orders.example.com');
  });

  it('serves a catalog type URI as is: the last path segment is the page', () => {
    const html = pages.get('order-not-found.html') ?? '';
    expect(html).toContain('<code>OAS_ORDER_NOT_FOUND</code>');
    expect(html).toContain('404 Not Found');
    expect(html).toContain('5 NOT_FOUND');
    expect(html).toContain(`close ${TAXONOMY.not_found.wsClose}`);
    expect(html).toContain('Check the identifier');
    expect(pages.get('unavailable.html')).toContain('Retryable</th><td>yes');
  });

  it('escapes what it prints', () => {
    const hostile = defineCatalog({
      OAS_HTML_IN_MESSAGE: { category: 'validation', message: 'Use <b>bold</b> & "quotes".' },
    });
    const html = docsPages([hostile]).get('oas-html-in-message.html') ?? '';
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&#60;b&#62;bold');
  });
});
