/**
 * The service behind the gateways in the tests: a real Fastify + Faultline app (its records in a
 * real pino logger) with routes that answer as a Faultline service does and routes that answer
 * like a crashed or foreign one.
 */
import { Readable } from 'node:stream';
import { createReporter } from '@faultline/core';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { memoryLog } from '@faultline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';

/** The chunks `/api/stream` sends: 32 × 64 KiB, each one letter repeated, A to Z in turn (2 MiB in all). */
export const STREAM_CHUNKS: readonly string[] = Array.from({ length: 32 }, (_, i) =>
  String.fromCharCode(65 + (i % 26)).repeat(65_536),
);

/** A running backend. */
export interface Backend {
  readonly port: number;
  /** The Faultline records it logged. */
  readonly records: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts the backend on a free loopback port; `/api/slow` answers after `slowMs`. */
export async function startBackend(slowMs = 2500): Promise<Backend> {
  const log = memoryLog();
  const app = Fastify({ ...faultlineServerOptions(), logger: false }) as unknown as FastifyInstance;
  await app.register(faultline, { reporter: createReporter({ logger: log.logger, flushOnExit: false }) });
  app.get('/api/echo', async (request) => ({ seen: request.headers['x-request-id'] }));
  app.post('/api/echo', async () => ({ ok: true }));
  // Every header the backend received, as Node parsed them.
  app.get('/api/headers', async (request) => request.headers);
  app.get('/api/conflict', async () => {
    throw Object.assign(new Error('duplicate key value violates unique constraint "orders_pkey"'), {
      code: '23505',
      table: 'orders',
      severity: 'ERROR',
      routine: '_bt_check_unique',
    });
  });
  app.get('/api/crash', async () => {
    throw new Error('connect to 10.0.0.5:5432 failed at /srv/app/db.js');
  });
  app.get('/api/html', async (_request, reply) =>
    reply
      .code(500)
      .type('text/html')
      .header('x-debug', 'db=10.0.0.5')
      .header('x-powered-by', 'PHP/8.1.2')
      .send('<h1>Error</h1><pre>TypeError at Orders.insert (/srv/app/orders.js:27:3) nginx/1.22.1</pre>'),
  );
  app.get('/api/foreign-json', async (_request, reply) =>
    reply.code(503).type('application/json').send({ error: 'connection to 10.0.0.5 refused', stack: 'at x' }),
  );
  app.get('/api/weird-status', async (_request, reply) => reply.code(599).type('text/plain').send('stack: at x'));
  // Any status a foreign backend may send, with a reason phrase of its own.
  app.get('/api/status/:code', async (request, reply) => {
    reply.raw.statusMessage = 'Backend Says No';
    return reply
      .code(Number((request.params as { code: string }).code))
      .type('text/plain')
      .send('stack: at x');
  });
  // The same in JSON (a JSON 4xx passes the gateways as it came).
  app.get('/api/json-status/:code', async (request, reply) =>
    reply
      .code(Number((request.params as { code: string }).code))
      .type('application/json')
      .send('{"error":"backend says no"}'),
  );
  // A success streamed in many chunks: the filter hands on the first and nginx passes the rest.
  app.get('/api/stream', async (_request, reply) =>
    reply.type('text/plain').send(Readable.from(STREAM_CHUNKS, { objectMode: false })),
  );
  app.get('/api/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, slowMs));
    return { late: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: (app.server.address() as { port: number }).port,
    records: log.records,
    close: () => app.close(),
  };
}
