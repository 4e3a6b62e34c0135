/**
 * The demo's orders service on Express 5 with Faultline: the same real failures as the Fastify
 * service (pg 23505, connection refused, timeout, catalog 404, forbidden, thrown string, hostile
 * object), on its own port. Validation here is zod on the request body, so it is the client's
 * only when its pointers resolve in what the client sent.
 */
import type { Server } from 'node:http';
import { createReporter, FaultError } from '@faultline/core';
import { asyncHandler, faultline } from '@faultline/express';
import express from 'express';
import { z } from 'zod';
import { errors } from './catalog.js';
import { OrdersRepository } from './orders.js';
import type { Upstreams } from './upstreams.js';

const NewOrder = z.object({
  reference: z.string().regex(/^[A-Z]-[0-9]+$/),
  quantity: z.number().int().min(1).max(100),
});

/** The Express app, not yet listening, and its reporter (flush it on shutdown). */
export function buildExpressApp(upstreams: Upstreams) {
  const app = express();
  const fl = faultline({ app, reporter: createReporter() });
  const orders = new OrdersRepository();
  app.use(fl.requestId);
  app.use(express.json({ limit: '16kb' }));

  app.get('/orders/:id', (req, res) => {
    const order = orders.find(Number(req.params.id));
    if (order === undefined) throw errors.ORDER_NOT_FOUND({ message: `order ${req.params.id} not in repository` });
    res.json(order);
  });
  app.post('/orders', (req, res) => {
    // express.json() parses JSON bodies only: another body, or none, leaves req.body undefined, and
    // zod's error about it is no request input (a 500). Either is the client's fault: say which.
    const json = req.is('application/json');
    if (json === false) throw FaultError.of('unsupported_media_type', { message: 'POST /orders body is not JSON' });
    if (json === null) throw FaultError.of('validation', { message: 'POST /orders without a body' });
    const body = NewOrder.parse(req.body);
    res.status(201).json(orders.insert(body.reference, body.quantity));
  });
  app.get('/orders/:id/invoice', async (_req, res) => {
    const response = await fetch(upstreams.billingUrl, {
      headers: { authorization: 'Bearer sk_live_demo_secret_token' },
    });
    res.json(await response.json());
  });
  app.get('/reports/daily', async (_req, res) => {
    const response = await fetch(upstreams.reportsUrl, { signal: AbortSignal.timeout(200) });
    res.json(await response.json());
  });
  app.get('/admin/orders', () => {
    throw errors.ADMIN_ONLY({ message: 'user 7 (role=viewer) tried /admin/orders' });
  });
  app.get('/rate-limited', () => {
    throw FaultError.of('rate_limited', { retryAfter: 10 });
  });
  app.get(
    '/debug/string',
    asyncHandler(() => {
      throw 'postgres://app:hunter2@db.internal:5432/orders is down';
    }),
  );
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
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  return { app, reporter: fl.reporter, clientError: fl.clientError };
}

/** Starts the Express service on `port`. */
export function startExpress(
  port: number,
  host: string,
  upstreams: Upstreams,
): Promise<{ server: Server; close(): Promise<void> }> {
  const { app, reporter, clientError } = buildExpressApp(upstreams);
  return new Promise((resolve) => {
    const server = app.listen(port, host, () =>
      resolve({
        server,
        close: async () => {
          server.closeAllConnections();
          await new Promise<void>((done) => server.close(() => done()));
          await reporter?.close();
        },
      }),
    );
    server.on('clientError', clientError);
  });
}
