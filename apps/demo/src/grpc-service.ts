/**
 * The demo's gRPC service: the same orders failures over @grpc/grpc-js, with Faultline's
 * wrapped handlers, guarded decoding and last-line interceptor. Messages are JSON-encoded so the
 * demo needs no code generation.
 */

import { createReporter, FaultError, type Reporter } from '@faultline/core';
import { addFaultlineService, createServerInterceptor } from '@faultline/grpc';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { ERROR_DOMAIN, errors } from './catalog.js';
import { unary } from './grpc-json.js';
import { OrdersRepository } from './orders.js';
import type { Upstreams } from './upstreams.js';

/** `demo.Orders`: GetOrder, CreateOrder, GetInvoice and WatchOrders (server streaming). */
export const OrdersService: ServiceDefinition = {
  getOrder: unary('/demo.Orders/GetOrder'),
  createOrder: unary('/demo.Orders/CreateOrder'),
  getInvoice: unary('/demo.Orders/GetInvoice'),
  watchOrders: { ...unary('/demo.Orders/WatchOrders'), responseStream: true },
};

type Callback = (error: unknown, value?: unknown) => void;

function implementation(upstreams: Upstreams): UntypedServiceImplementation {
  const orders = new OrdersRepository();
  return {
    getOrder(call: { request: { id?: unknown } }, callback: Callback) {
      const id = Number(call.request.id);
      if (!Number.isInteger(id) || id < 1) {
        throw FaultError.of('validation', { fieldViolations: [{ pointer: '/id', detail: 'Is invalid.' }] });
      }
      const order = orders.find(id);
      if (order === undefined) throw errors.ORDER_NOT_FOUND({ message: `order ${id} not in repository` });
      callback(null, order);
    },
    createOrder(call: { request: { reference: string; quantity: number } }, callback: Callback) {
      callback(null, orders.insert(call.request.reference, call.request.quantity));
    },
    async getInvoice() {
      // Real connection refused, rejected from an async handler.
      await fetch(upstreams.billingUrl);
    },
    watchOrders(call: { write(value: unknown): void; emit(event: string, value: unknown): void }) {
      call.write(orders.find(1));
      call.emit('error', new Error('replication stream to db.internal:5432 lost (password=hunter2)'));
    },
  } as unknown as UntypedServiceImplementation;
}

/** Starts the gRPC server on 127.0.0.1:`port` (0 picks a free port); returns it with the bound port. */
export async function startGrpc(
  port: number,
  upstreams: Upstreams,
  reporter: Reporter = createReporter(),
): Promise<{ server: Server; port: number }> {
  const server = new Server({
    interceptors: [createServerInterceptor({ reporter, domain: ERROR_DOMAIN })],
    // Faultline answers a message over its limit below (RESOURCE_EXHAUSTED with an id) up to this
    // one; grpc-js refuses past it with its own text and no id, and stops inflating there. 8 MiB, as
    // in the README: a probe's or a client's oversized message (a few MiB) still gets Faultline's answer.
    'grpc.max_receive_message_length': 8 * 1024 * 1024,
  });
  addFaultlineService(server, OrdersService, implementation(upstreams), {
    reporter,
    domain: ERROR_DOMAIN,
    maxReceiveMessageLength: 64 * 1024,
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: bound };
}
