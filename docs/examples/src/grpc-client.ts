import { decodeGrpcFault } from '@faultline/client/grpc';
import { capture } from '@faultline/core';
import { createClientInterceptor, grpcClassifier } from '@faultline/grpc';
import { credentials, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { errors } from './catalog.js';

type OrdersClient = { GetOrder(request: { id: string }, done: (error: ServiceError | null) => void): void };
type Shop = { shop: { Orders: new (address: string, creds: unknown, options: object) => OrdersClient } };
const { shop } = loadPackageDefinition(loadSync('orders.proto')) as unknown as Shop;
const orders = new shop.Orders(`127.0.0.1:${process.env.PORT ?? 50051}`, credentials.createInsecure(), {
  interceptors: [createClientInterceptor({ requestId: () => undefined })], // pass the caller's id here
});
orders.GetOrder({ id: '42' }, (error) => {
  if (error === null) return;
  const fault = decodeGrpcFault(error, errors); // a client: code, request id, field violations
  console.log(fault.code, fault.requestId);
  const mine = capture(error, { classifiers: [grpcClassifier] }); // a service calling a service
  console.log(mine.category); // raise or answer this fault; the downstream's text stays behind
  process.exit(0);
});
