/**
 * The middle service of the edge topology: Fastify + Faultline behind the gateway, calling
 * `demo.Inventory/Reserve` over gRPC, with the demo's WebSocket endpoint `/ws` on the same server.
 * Each request runs in a server span (continuing an incoming `traceparent`, as
 * @opentelemetry/instrumentation-http would); the call carries the request id
 * and the trace context in its metadata. A failed call is answered from its status alone: the
 * downstream's text and metadata never reach the caller. Ids (the HTTP request id, the ws
 * connection id) are kept only from the peers in `FAULTLINE_TRUSTED_PROXIES` (comma-separated: the
 * gateway). Run as a child process: reports `{ port }` over IPC; `FAULTLINE_INVENTORY` names the
 * gRPC address.
 */
import { createServer } from 'node:http';
import { createReporter } from '@faultline/core';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { createClientInterceptor, REQUEST_ID_KEY } from '@faultline/grpc';
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import { closeWebSocketClients } from '../shutdown.js';
import { startUpstreams } from '../upstreams.js';
import { attachWebSocket } from '../ws-endpoint.js';
import { InventoryService } from './inventory-service-definition.js';
import { startTracing } from './tracing.js';

type ReserveClient = {
  reserve(request: unknown, metadata: Metadata, done: (error: ServiceError | null, value?: unknown) => void): void;
  close(): void;
};

async function main(): Promise<void> {
  const tracer = startTracing('orders-api', String(process.env.FAULTLINE_SPANS));
  const Client = makeGenericClientConstructor(InventoryService, 'Inventory');
  const inventory = new Client(String(process.env.FAULTLINE_INVENTORY), credentials.createInsecure(), {
    interceptors: [createClientInterceptor()],
  }) as unknown as ReserveClient;
  const ids = { trustedProxies: String(process.env.FAULTLINE_TRUSTED_PROXIES).split(',') };
  const reporter = createReporter({ destination: String(process.env.FAULTLINE_RECORDS) });
  const app = Fastify({
    ...faultlineServerOptions(ids),
    serverFactory: (handler) =>
      createServer((req, res) => {
        const parent = propagation.extract(ROOT_CONTEXT, req.headers);
        const span = tracer.startSpan(`${req.method} ${req.url?.split('?')[0]}`, { kind: SpanKind.SERVER }, parent);
        res.on('close', () => span.end());
        context.with(trace.setSpan(parent, span), () => handler(req, res));
      }),
  });
  await app.register(faultline, { reporter });
  const upstreams = await startUpstreams();
  const wss = attachWebSocket(app.server, upstreams, reporter, ids);
  app.post<{ Params: { reference: string } }>('/api/orders/:reference/reserve', async (request) => {
    const metadata = new Metadata();
    metadata.set(REQUEST_ID_KEY, request.id);
    propagation.inject(context.active(), metadata, { set: (carrier, key, value) => carrier.set(key, value) });
    return new Promise((resolve, reject) =>
      inventory.reserve({ reference: request.params.reference, quantity: 1 }, metadata, (error, value) =>
        error === null ? resolve(value) : reject(error),
      ),
    );
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const stop = () => {
    inventory.close();
    // Close frames first: an upgraded socket keeps app.close() (and the gateway's tunnel) waiting.
    void Promise.allSettled([closeWebSocketClients(wss).then(() => app.close()), upstreams.close()]).finally(() =>
      process.exit(0),
    );
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send?.({ port: (app.server.address() as { port: number }).port });
}

await main();
