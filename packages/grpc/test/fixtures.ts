import { createReporter, defineCatalog, FaultError } from '@faultline/core';
import { jsonMethod, memoryLog } from '@faultline/testkit';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { addFaultlineService, createServerInterceptor } from '../src/index.js';

/** A method definition with the JSON codec (the shared testkit helper). */
export const method = jsonMethod;

/** A service with every method kind, JSON-encoded messages. */
export const OrdersService: ServiceDefinition = {
  get: method('/demo.Orders/Get', false, false),
  getAsync: method('/demo.Orders/GetAsync', false, false),
  list: method('/demo.Orders/List', false, true),
  upload: method('/demo.Orders/Upload', true, false),
  chat: method('/demo.Orders/Chat', true, true),
  missing: method('/demo.Orders/Missing', false, false),
};

export const errors = defineCatalog({
  GRPC_ORDER_NOT_FOUND: { category: 'not_found', message: 'The order does not exist.' },
});

/** Thrown values by name, each full of secrets. */
export function failure(kind: string): unknown {
  switch (kind) {
    case 'pg':
      return Object.assign(
        new Error('duplicate key value violates unique constraint "orders_ref_key" password=hunter2'),
        {
          code: '23505',
          severity: 'ERROR',
          table: 'orders',
        },
      );
    case 'mongo':
      return Object.assign(new Error('E11000 duplicate key error collection: shop.orders hunter2'), {
        name: 'MongoServerError',
        code: 11000,
      });
    case 'foreign-code':
      return Object.assign(new Error('not found in db.internal hunter2'), {
        code: 5,
        details: 'secret details hunter2',
        metadata: undefined,
      });
    case 'refused':
      return Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 hunter2'), { code: 'ECONNREFUSED' });
    case 'catalog':
      return errors.GRPC_ORDER_NOT_FOUND({ cause: new Error('SELECT hunter2') });
    case 'validation':
      return FaultError.of('validation', {
        fieldViolations: [
          { pointer: '/items/0/qty', detail: 'Is below the minimum.' },
          { pointer: '/email', detail: 'Has an invalid format.' },
        ],
      });
    case 'rate':
      return FaultError.of('rate_limited', { retryAfter: 7 });
    case 'string':
      return 'thrown string hunter2';
    case 'forged-status': {
      // A status object whose every part tries to reach the client: text, trailers, an id of its own.
      const metadata = new Metadata();
      metadata.set('x-debug', 'at /srv/app/db.js:1 hunter2');
      metadata.set('x-request-id', '0b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e');
      metadata.set('x-trace-bin', Buffer.from('\r\nhunter2'));
      return { code: 7, details: 'SELECT * FROM orders_private hunter2\r\nx-injected: 1', metadata };
    }
    case 'ok-message': {
      // grpc-js's own OK text on an error whose code is 0 (OK), with trailers of the application's.
      const metadata = new Metadata();
      metadata.set('x-debug', 'at /srv/app/db.js:1 hunter2');
      metadata.set('x-request-id', '0b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e');
      return Object.assign(new Error('OK'), { code: 0, details: 'OK', metadata });
    }
    case 'downstream': {
      // A ServiceError from a call this service made, with the downstream's text and metadata.
      const metadata = new Metadata();
      metadata.set('x-downstream-secret', 'hunter2');
      return Object.assign(new Error('5 NOT_FOUND: row 7 missing in db.internal hunter2'), {
        code: 5,
        details: 'row 7 missing in db.internal hunter2',
        metadata,
      });
    }
    default:
      return new Error(`plain error hunter2 /srv/app/${kind}`);
  }
}

type Req = { kind: string; how?: string };

/** Handlers that fail in every way grpc-js allows, chosen by the request. */
export const implementation = {
  get(call: { request: Req; destroy(e?: Error): void }, callback: (e: unknown, v?: unknown) => void) {
    const { kind, how } = call.request;
    if (kind === 'ok') return callback(null, { ok: true });
    if (how === 'throw') throw failure(kind);
    // The handler gives up without an error or a status: the call must still end, as a fault.
    if (how === 'destroy-empty') return call.destroy();
    if (how === 'destroy-empty-later') return void setImmediate(() => call.destroy());
    // The callback misused: no message, twice, or followed by a throw.
    if (how === 'answer-nothing') return callback(null);
    if (how === 'answer-then-fail') {
      callback(null, { ok: true });
      callback(failure(kind));
      throw failure(kind);
    }
    if (how === 'fail-then-answer') {
      callback(failure(kind));
      return callback(null, { ok: true });
    }
    callback(failure(kind));
  },
  async getAsync(call: { request: Req }) {
    await new Promise((r) => setTimeout(r, 1));
    throw failure(call.request.kind);
  },
  list(call: {
    request: Req;
    write(v: unknown): void;
    emit(e: string, v: unknown): void;
    destroy(e?: Error): void;
    end(): void;
  }) {
    const { kind, how } = call.request;
    call.write({ n: 1 });
    call.write({ n: 2 });
    if (kind === 'ok') return call.end();
    if (how === 'emit') call.emit('error', failure(kind));
    else if (how === 'destroy') call.destroy(failure(kind) as Error);
    else if (how === 'async') return Promise.reject(failure(kind));
    else throw failure(kind);
  },
  upload(call: { on(e: string, f: (v: Req) => void): void }, callback: (e: unknown, v?: unknown) => void) {
    call.on('data', (req: Req) => callback(failure(req.kind)));
  },
  chat(call: { on(e: string, f: (v: Req) => void): void; write(v: unknown): void; emit(e: string, v: unknown): void }) {
    call.on('data', (req: Req) => {
      call.write({ echo: req.kind });
      call.emit('error', failure(req.kind));
    });
  },
  // 'missing' has no handler: grpc-js answers UNIMPLEMENTED itself.
} as unknown as UntypedServiceImplementation;

/** Binds `server` to a free port on 127.0.0.1; resolves with the port. */
export function bindLoopback(server: Server): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
}

/** A generic grpc-js client of `service` (named `name`) for 127.0.0.1:`port`. */
export function loopbackClient<C>(service: ServiceDefinition, name: string, port: number): C {
  return new (makeGenericClientConstructor(service, name))(`127.0.0.1:${port}`, credentials.createInsecure()) as C;
}

/** Starts a real server on 127.0.0.1 with the wrapper and the interceptor. */
export async function startServer(options: { maxReceive?: number } = {}) {
  const { logger, records } = memoryLog();
  const reporter = createReporter({ logger, flushOnExit: false });
  const server = new Server({
    interceptors: [createServerInterceptor({ reporter, domain: 'orders.example.com' })],
    'grpc.max_receive_message_length': -1,
  });
  addFaultlineService(server, OrdersService, implementation, {
    reporter,
    domain: 'orders.example.com',
    ...(options.maxReceive === undefined ? {} : { maxReceiveMessageLength: options.maxReceive }),
  });
  const port = await bindLoopback(server);
  const client = loopbackClient<GenericClient>(OrdersService, 'Orders', port);
  return {
    port,
    client,
    records,
    reporter,
    stop: async () => {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

/** A generic grpc-js client, its methods looked up by name. */
export type GenericClient = Record<string, (...args: unknown[]) => unknown> & { close(): void };

/** Calls a unary method; resolves with the error (or undefined) and the trailers. */
export function callUnary(
  client: GenericClient,
  name: string,
  request: unknown,
  metadata = new Metadata(),
): Promise<{ error: ServiceError | undefined; value: unknown }> {
  return new Promise((resolve) => {
    client[name]?.call(
      client,
      request,
      metadata,
      { deadline: Date.now() + 5000 },
      (error: ServiceError | null, value: unknown) => resolve({ error: error ?? undefined, value }),
    );
  });
}
