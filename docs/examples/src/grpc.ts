import { addFaultlineService, shutdownGracefully } from '@faultline/grpc';
import { loadPackageDefinition, Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { errors } from './catalog.js';

type Shop = { shop: { Orders: { service: ServiceDefinition } } };
const { shop } = loadPackageDefinition(loadSync('orders.proto')) as unknown as Shop;
// Bounded: Faultline answers messages over its own 4 MiB limit, up to this one; grpc-js refuses
// past it and stops inflating a compressed message there (-1 would inflate a zip bomb whole).
const server = new Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
addFaultlineService(server, shop.Orders.service, {
  GetOrder: () => {
    throw errors.ORDER_NOT_FOUND();
  },
});
server.bindAsync(`127.0.0.1:${process.env.PORT ?? 50051}`, ServerCredentials.createInsecure(), () => {});
process.once('SIGTERM', () => {
  // No new calls; those still running after 10 s get UNAVAILABLE with their x-request-id.
  void shutdownGracefully(server, { timeoutMs: 10_000 }).then(() => process.exit(0));
});
