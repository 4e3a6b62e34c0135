/**
 * Leaky grpc-js targets: a protobuf service found through server reflection, and a JSON-codec
 * service (described for reflection, served with JSON bodies) that also serves the standard
 * health service, whose Check and Watch answer connection errors and stacks.
 */
import { fileURLToPath } from 'node:url';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { LeakyTarget } from './planted.js';
import { rawMethod as method } from './raw-method.js';

const PROTO = fileURLToPath(new URL('../fixtures/inventory.proto', import.meta.url));

function fail(message: string) {
  return (_call: unknown, callback: sendUnaryData<unknown>) => callback({ code: status.INTERNAL, details: message });
}

async function listen(name: string, server: Server, planted: LeakyTarget['planted']): Promise<LeakyTarget> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { name, url: `grpc://127.0.0.1:${port}`, planted, close: async () => void server.forceShutdown() };
}

/** inventory.Stock with reflection: MySQL text on Reserve, a Node stack on Release. */
export function inventoryGrpc(): Promise<LeakyTarget> {
  const definition = loadSync(PROTO, { keepCase: true });
  const loaded = loadPackageDefinition(definition) as unknown as {
    inventory: { Stock: { service: ServiceDefinition } };
  };
  const server = new Server();
  server.addService(loaded.inventory.Stock.service, {
    Reserve: fail("ER_DUP_ENTRY: Duplicate entry 'sku-1' for key 'PRIMARY'"),
    Release: fail('TypeError: x is undefined\n    at Object.release (/srv/inventory/src/stock.js:41:13)'),
  } as UntypedServiceImplementation);
  new ReflectionService(definition).addToServer(server);
  return listen('grpc-js with reflection', server, [
    { rule: 'leak/driver-mysql', where: '/inventory.Stock/Reserve' },
    { rule: 'leak/stack-node', where: '/inventory.Stock/Release' },
  ]);
}

/** inventory.Cart with a JSON codec and reflection, and a health service that leaks. */
export function cartGrpc(): Promise<LeakyTarget> {
  const definition = loadSync(PROTO, { keepCase: true });
  const server = new Server();
  server.addService({ Add: method('/inventory.Cart/Add', false) }, {
    Add: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      let body: { quantity?: unknown };
      try {
        body = JSON.parse(call.request.toString('utf8')) as { quantity?: unknown };
      } catch {
        callback({ code: status.INVALID_ARGUMENT, details: 'invalid JSON' });
        return;
      }
      if (typeof body.quantity !== 'number')
        callback({
          code: status.INTERNAL,
          details: 'Knex: Timeout acquiring a connection. The pool is probably full.',
        });
      else callback(null, Buffer.from('{"id":"1"}'));
    },
  } as unknown as UntypedServiceImplementation);
  server.addService(
    { Check: method('/grpc.health.v1.Health/Check', false), Watch: method('/grpc.health.v1.Health/Watch', true) },
    {
      Check: fail('connect ECONNREFUSED 10.4.0.9:5432'),
      Watch: (call: ServerWritableStream<Buffer, Buffer>) =>
        call.emit('error', {
          code: status.UNAVAILABLE,
          details: 'Error: down\n    at HealthService.watch (/usr/src/app/health.js:12:9)',
        }),
    } as unknown as UntypedServiceImplementation,
  );
  // Reflection lists Cart (from the .proto); Stock is not served here.
  new ReflectionService(definition, { services: ['inventory.Cart'] }).addToServer(server);
  return listen('grpc-js JSON codec and health', server, [
    { rule: 'leak/orm', where: '/inventory.Cart/Add' },
    { rule: 'leak/errno', where: '/grpc.health.v1.Health/Check' },
    { rule: 'leak/stack-node', where: '/grpc.health.v1.Health/Watch' },
  ]);
}
