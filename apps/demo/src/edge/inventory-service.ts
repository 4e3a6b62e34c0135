/**
 * The bottom service of the edge topology (`demo.Inventory/Reserve` over gRPC): its data layer
 * fails like PostgreSQL (a real pg-protocol DatabaseError, unique violation). It continues the
 * caller's trace from the `traceparent` metadata and keeps the caller's `x-request-id` when the
 * caller is in `FAULTLINE_TRUSTED_PROXIES` (comma-separated: the gateway and the orders API), so
 * its Faultline record and span carry the id the gateway made. Run as a child process: it reports
 * `{ port }` over IPC and writes records and spans to the files named in its environment.
 */
import { createReporter } from '@faultline/core';
import { answerUnknownMethods, guardDefinition, wrapService } from '@faultline/grpc';
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { OrdersRepository } from '../orders.js';
import { InventoryService, metadataGetter } from './inventory-service-definition.js';
import { startTracing } from './tracing.js';

async function main(): Promise<void> {
  const tracer = startTracing('inventory', String(process.env.FAULTLINE_SPANS));
  const reporter = createReporter({ destination: String(process.env.FAULTLINE_RECORDS) });
  const options = { reporter, trustedProxies: String(process.env.FAULTLINE_TRUSTED_PROXIES).split(',') };
  const orders = new OrdersRepository();
  const implementation = wrapService(
    InventoryService,
    {
      reserve: (
        call: ServerUnaryCall<{ reference: string; quantity: number }, unknown>,
        callback: sendUnaryData<unknown>,
      ) => callback(null, orders.insert(call.request.reference, call.request.quantity)),
    } as unknown as UntypedServiceImplementation,
    options,
  );
  const reserve = implementation.reserve as (
    call: ServerUnaryCall<unknown, unknown>,
    cb: sendUnaryData<unknown>,
  ) => void;
  // Twice the guard's default limit: grpc-js refuses past it, before inflating more.
  const server = new Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
  server.addService(guardDefinition(InventoryService), {
    reserve: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const parent = propagation.extract(ROOT_CONTEXT, call.metadata, metadataGetter);
      const span = tracer.startSpan('demo.Inventory/Reserve', { kind: SpanKind.SERVER }, parent);
      context.with(trace.setSpan(parent, span), () =>
        reserve(call, (error, value) => {
          callback(error, value);
          span.end();
        }),
      );
    },
  });
  answerUnknownMethods(server, options);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const stop = () => server.tryShutdown(() => void reporter.close().finally(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send?.({ port });
}

await main();
