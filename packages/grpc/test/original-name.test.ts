/**
 * A service loaded with @grpc/proto-loader may key its handlers by the lower-camel `originalName`
 * (`getOrder` for `GetOrder`), which grpc-js accepts. Those handlers are wrapped too: their
 * failures get Faultline's sanitized status and id, never the thrown text.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReporter, isUuid } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import {
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceClientConstructor,
  type ServiceError,
  status as Status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, REQUEST_ID_KEY, wrapService } from '../src/index.js';

const PROTO = `syntax = "proto3";
package shop;
service Orders {
  rpc GetOrder (GetOrderRequest) returns (Order);
  rpc ListOrders (GetOrderRequest) returns (Order);
}
message GetOrderRequest { string id = 1; }
message Order { string id = 1; }
`;
const LEAK = 'relation "orders_secret" does not exist';

let server: Server;
let Orders: ServiceClientConstructor;
let port = 0;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-proto-')), 'shop.proto');
  writeFileSync(file, PROTO);
  const shop = (loadPackageDefinition(loadSync(file)) as GrpcObject).shop as GrpcObject;
  Orders = shop.Orders as ServiceClientConstructor;
  const reporter = createReporter({ logger: memoryLog().logger, flushOnExit: false });
  server = new Server();
  addFaultlineService(
    server,
    Orders.service,
    {
      // Keyed by originalName: a callback error and a synchronous throw.
      getOrder: (_call: unknown, callback: (error: Error) => void) => callback(new Error(LEAK)),
      listOrders: () => {
        throw new Error(LEAK);
      },
    },
    { reporter },
  );
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
});

afterAll(() => {
  server.forceShutdown();
});

function call(name: 'getOrder' | 'listOrders'): Promise<ServiceError> {
  const client = new Orders(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const method = (client as unknown as Record<string, (...args: unknown[]) => void>)[name];
    method?.call(client, { id: 'A-1' }, new Metadata(), (error: ServiceError | null) => {
      client.close();
      if (error === null) reject(new Error('expected a failure'));
      else resolve(error);
    });
  });
}

describe('handlers keyed by proto-loader originalName', () => {
  it.each(['getOrder', 'listOrders'] as const)('%s fails with a sanitized INTERNAL and an id', async (name) => {
    const error = await call(name);
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.details).toBe('An internal error occurred.');
    expect(`${error.message} ${JSON.stringify(error.metadata.getMap())}`).not.toContain('orders_secret');
    expect(isUuid(error.metadata.get(REQUEST_ID_KEY)[0])).toBe(true);
  });

  it('wrapService registers the wrapper under the method name grpc-js tries first', () => {
    const original = () => undefined;
    const wrapped = wrapService(Orders.service, { getOrder: original }, { reporter: false });
    const byName = (wrapped as Record<string, unknown>).GetOrder;
    expect(typeof byName).toBe('function');
    expect(byName).not.toBe(original);
  });
});
