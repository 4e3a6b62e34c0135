/**
 * The demo's HTTP service (Fastify + Faultline): orders routes that fail the way real services
 * fail. Used by `main.ts` for HTTP/1.1 and HTTP/2, and by the demo's tests.
 */

import type { Http2Server } from 'node:http2';
import { createReporter, FaultError } from '@faultline/core';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { collectRoutes, docsPages, openApiDocument } from '@faultline/openapi';
import Fastify, { type FastifyInstance } from 'fastify';
import { ERROR_DOMAIN, errors } from './catalog.js';
import { OrdersRepository } from './orders.js';
import type { Upstreams } from './upstreams.js';

/** Options of {@link buildHttpApp}. */
export interface DemoOptions {
  readonly upstreams: Upstreams;
  readonly http2?: boolean;
  /** Log level of the server (default `warn`: fault records only, no per-request lines). */
  readonly logLevel?: string;
}

/** Builds the orders service. */
export async function buildHttpApp(options: DemoOptions): Promise<FastifyInstance> {
  const common = { logger: { level: options.logLevel ?? 'warn' } };
  // Both servers get the same routes; the HTTP/2 one is typed as the HTTP/1 one for registration.
  const app = (options.http2 === true
    ? Fastify({ ...faultlineServerOptions<Http2Server>(), ...common, http2: true })
    : Fastify({ ...faultlineServerOptions(), ...common })) as unknown as FastifyInstance;
  await app.register(faultline, { reporter: createReporter({ logger: app.log }) });
  // The catalog on every surface: routes declare the codes they raise; /openapi.json and /errors/* are generated.
  const routes = collectRoutes(app);
  const pages = docsPages([errors], { title: 'Orders service errors', domain: ERROR_DOMAIN });
  const orders = new OrdersRepository();

  app.get<{ Params: { id: string } }>(
    '/orders/:id',
    {
      schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } } },
      config: { faultlineCodes: ['ORDER_NOT_FOUND', 'VALIDATION_FAILED'] },
    },
    async (request) => {
      const order = orders.find(Number(request.params.id));
      if (order === undefined)
        throw errors.ORDER_NOT_FOUND({ message: `order ${request.params.id} not in repository` });
      return order;
    },
  );

  app.post<{ Body: { reference: string; quantity: number } }>(
    '/orders',
    {
      config: { faultlineCodes: ['CONFLICT'] },
      schema: {
        body: {
          type: 'object',
          required: ['reference', 'quantity'],
          additionalProperties: false,
          properties: {
            reference: { type: 'string', pattern: '^[A-Z]-[0-9]+$' },
            quantity: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return orders.insert(request.body.reference, request.body.quantity);
    },
  );

  app.get('/orders/:id/invoice', async () => {
    // Real connection refused: nothing listens on the billing port.
    const response = await fetch(options.upstreams.billingUrl, {
      headers: { authorization: 'Bearer sk_live_demo_secret_token' },
    });
    return response.json();
  });

  app.get('/reports/daily', async () => {
    // Real timeout: the reports server accepts and never answers.
    const response = await fetch(options.upstreams.reportsUrl, { signal: AbortSignal.timeout(200) });
    return response.json();
  });

  app.get('/admin/orders', { config: { faultlineCodes: ['ADMIN_ONLY'] } }, async () => {
    throw errors.ADMIN_ONLY({ message: 'user 7 (role=viewer) tried /admin/orders' });
  });

  app.post<{ Params: { id: string } }>(
    '/orders/:id/items',
    { config: { faultlineCodes: ['ORDER_TOO_LARGE'] } },
    async () => {
      // Public detail on purpose: the limit is a declared, typed parameter of the code.
      throw errors.ORDER_TOO_LARGE({ params: { limit: 20 }, message: 'order 1 would have 21 items' });
    },
  );

  app.get('/rate-limited', async () => {
    throw FaultError.of('rate_limited', { retryAfter: 10 });
  });

  app.get('/debug/string', () => {
    throw 'postgres://app:hunter2@db.internal:5432/orders is down';
  });

  app.get('/debug/hostile', () => {
    throw new Proxy(
      {},
      {
        get() {
          throw new Error('getter exploded: AWS key AKIAIOSFODNN7EXAMPLE');
        },
      },
    );
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/openapi.json', async () =>
    openApiDocument({ title: 'Orders service', version: '0.1.0', routes, catalogs: [errors] }),
  );
  app.get<{ Params: { page: string } }>('/errors/:page', async (request, reply) => {
    const name = request.params.page.endsWith('.html') ? request.params.page : `${request.params.page}.html`;
    const html = pages.get(name);
    if (html === undefined) throw FaultError.of('not_found', { message: 'no docs page of that name' });
    return reply.type('text/html; charset=utf-8').send(html);
  });
  app.get('/errors/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(pages.get('index.html')));
  return app;
}
