/** The demo's gRPC service answers every staged failure with a sanitized status. */

import { createReporter, GrpcStatus, isUuid } from '@faultline/core';
import { DETAILS_KEY, REQUEST_ID_KEY } from '@faultline/grpc';
import { decodeStatusDetails } from '@faultline/grpc/rich-status';
import { credentials, Metadata, makeGenericClientConstructor, type Server, type ServiceError } from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_DOMAIN } from '../src/catalog.js';
import { OrdersService, startGrpc } from '../src/grpc-service.js';
import { startUpstreams, type Upstreams } from '../src/upstreams.js';

let upstreams: Upstreams;
let server: Server;
let client: Record<string, (...args: unknown[]) => unknown> & { close(): void };

beforeAll(async () => {
  upstreams = await startUpstreams();
  const started = await startGrpc(
    0,
    upstreams,
    createReporter({ logger: pino({ level: 'silent' }), flushOnExit: false }),
  );
  server = started.server;
  const port = started.port;
  const Client = makeGenericClientConstructor(OrdersService, 'Orders');
  client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as typeof client;
});
afterAll(async () => {
  client.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  await upstreams.close();
});

function call(method: string, request: unknown): Promise<ServiceError> {
  return new Promise((resolve) => {
    if (OrdersService[method]?.responseStream) {
      const stream = client[method]?.(request, new Metadata(), {}) as NodeJS.EventEmitter;
      stream.on('data', () => undefined);
      stream.on('error', resolve);
    } else {
      client[method]?.(request, new Metadata(), { deadline: Date.now() + 5000 }, (error: ServiceError) =>
        resolve(error),
      );
    }
  });
}

it.each([
  ['getOrder', { id: 999 }, GrpcStatus.NOT_FOUND, 'ORDER_NOT_FOUND'],
  ['getOrder', { id: 'x' }, GrpcStatus.INVALID_ARGUMENT, 'VALIDATION_FAILED'],
  ['createOrder', { reference: 'A-1', quantity: 1 }, GrpcStatus.ALREADY_EXISTS, 'CONFLICT'],
  ['getInvoice', {}, GrpcStatus.UNAVAILABLE, 'UNAVAILABLE'],
  ['watchOrders', {}, GrpcStatus.INTERNAL, 'INTERNAL'],
])('%s %j -> %i %s', async (method, request, code, reason) => {
  const error = await call(method, request);
  expect(error.code).toBe(code);
  const decoded = decodeStatusDetails(error.metadata.get(DETAILS_KEY)[0] as Buffer);
  // The domain the docs pages name (`/errors/*`), not one of the gRPC service's own.
  expect(decoded).toMatchObject({ code, message: error.details, reason, domain: ERROR_DOMAIN });
  expect(isUuid(error.metadata.get(REQUEST_ID_KEY)[0])).toBe(true);
  for (const leak of ['hunter2', 'orders_reference_key', 'db.internal', 'ECONNREFUSED'])
    expect(JSON.stringify(error)).not.toContain(leak);
});

// The probe's oversized message is 5 MiB: past grpc-js's own limit it got grpc-js's RESOURCE_EXHAUSTED
// ("Received message larger than max", no id), which the probe reports as a failed call without an id.
it('answers a 5 MiB request (over the 64 KiB limit of Faultline) with RESOURCE_EXHAUSTED, its id and details', async () => {
  const error = await call('getOrder', { id: 'A'.repeat(5 * 1024 * 1024) });
  expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
  expect(isUuid(error.metadata.get(REQUEST_ID_KEY)[0])).toBe(true);
  const decoded = decodeStatusDetails(error.metadata.get(DETAILS_KEY)[0] as Buffer);
  expect(decoded).toMatchObject({ reason: 'PAYLOAD_TOO_LARGE', domain: ERROR_DOMAIN });
});
