/**
 * Test helpers for gRPC behind the gateway: a real grpc-js server with `@faultline/grpc` (it
 * trusts the gateway's `x-request-id` from 127.0.0.1) serving `orders.v1.Orders` in JSON, and
 * grpc-js clients over TLS (HTTP/2 through ALPN) or h2c.
 */
import { createReporter, defineCatalog } from '@faultline/core';
import { addFaultlineService } from '@faultline/grpc';
import { jsonMethod, memoryLog } from '@faultline/testkit';
import {
  type ChannelCredentials,
  type ClientReadableStream,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

/** The service's methods (the last one is not implemented by the server). */
export const ORDERS = {
  get: jsonMethod('/orders.v1.Orders/Get'),
  fail: jsonMethod('/orders.v1.Orders/Fail'),
  slow: jsonMethod('/orders.v1.Orders/Slow'),
  list: jsonMethod('/orders.v1.Orders/List', false, true),
};

/** A method of a service the gateway does not route. */
export const UNKNOWN = { get: jsonMethod('/billing.v1.Invoices/Get') };

export const errors = defineCatalog({
  ORDER_NOT_FOUND: { category: 'not_found', message: 'The order does not exist.' },
});

/** The ErrorInfo domain of the service (and of the gateway's own statuses in the tests). */
export const DOMAIN = 'orders.example.com';

/** A running gRPC service: its port, the ids its handlers saw, and a stop that ends every call. */
export interface GrpcBackend {
  readonly port: number;
  readonly seen: string[];
  stop(): Promise<void>;
}

/** The `x-request-id` a handler received. */
function idOf(metadata: Metadata): string {
  return String(metadata.get('x-request-id')[0]);
}

/** Starts the service on 127.0.0.1 (port 0). */
export async function startGrpcBackend(): Promise<GrpcBackend> {
  const seen: string[] = [];
  const reporter = createReporter({ logger: memoryLog().logger, flushOnExit: false });
  const server = new Server();
  const answering = new Set<NodeJS.Timeout>();
  addFaultlineService(
    server,
    ORDERS,
    {
      get(call: { metadata: Metadata; sendMetadata(m: Metadata): void }, done: (e: unknown, v?: unknown) => void) {
        seen.push(idOf(call.metadata));
        // Headers that name the backend: the gateway removes them.
        const headers = new Metadata();
        headers.set('server', 'grpc-node/1.2.3 orders-db-01.internal');
        headers.set('x-powered-by', 'Node 20');
        call.sendMetadata(headers);
        done(null, { id: idOf(call.metadata) });
      },
      fail(call: { metadata: Metadata }) {
        seen.push(idOf(call.metadata));
        throw errors.ORDER_NOT_FOUND({ cause: new Error('SELECT * FROM orders_private') });
      },
      slow(_call: unknown, done: (e: unknown, v?: unknown) => void) {
        const timer = setTimeout(() => {
          answering.delete(timer);
          done(null, { late: true });
        }, 5000);
        answering.add(timer);
      },
      list(call: { metadata: Metadata; write(v: unknown): void }) {
        seen.push(idOf(call.metadata));
        call.write({ n: 1 });
        call.write({ n: 2 });
        throw errors.ORDER_NOT_FOUND();
      },
    } as unknown as UntypedServiceImplementation,
    { reporter, domain: DOMAIN, trustedProxies: ['127.0.0.1'] },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    port,
    seen,
    stop: async () => {
      for (const timer of answering) clearTimeout(timer);
      server.forceShutdown();
    },
  };
}

/** A generic grpc-js client of `service` at 127.0.0.1:`port`, over TLS trusting `ca`, else h2c. */
export function grpcClient<S extends Record<string, ReturnType<typeof jsonMethod>>>(
  service: S,
  port: number,
  ca?: string,
): Record<keyof S, (...args: unknown[]) => unknown> & { close(): void } {
  const channel: ChannelCredentials =
    ca === undefined ? credentials.createInsecure() : credentials.createSsl(Buffer.from(ca));
  const Client = makeGenericClientConstructor(service, 'Client');
  return new Client(`127.0.0.1:${port}`, channel) as never;
}

/** The end of one unary call: its error (if any), value, and the headers and trailers received. */
export interface UnaryOutcome {
  readonly error: ServiceError | undefined;
  readonly value: unknown;
  readonly headers: Record<string, unknown>;
  readonly trailers: Record<string, unknown>;
}

/** Calls a unary method with `request` (5 s deadline) and waits for its end. */
export function unary(
  client: Record<string, (...args: unknown[]) => unknown>,
  method: string,
  request: unknown = {},
  metadata = new Metadata(),
): Promise<UnaryOutcome> {
  return new Promise((resolve) => {
    let headers: Record<string, unknown> = {};
    let result: { error: ServiceError | undefined; value: unknown } | undefined;
    let trailers: Record<string, unknown> | undefined;
    const finish = () => {
      if (result !== undefined && trailers !== undefined) resolve({ ...result, headers, trailers });
    };
    const call = client[method]?.(
      request,
      metadata,
      { deadline: Date.now() + 5000 },
      (error: ServiceError | null, value: unknown) => {
        result = { error: error ?? undefined, value };
        finish();
      },
    ) as {
      on(event: string, listener: (value: { toJSON(): Record<string, unknown>; metadata?: Metadata }) => void): void;
    };
    call.on('metadata', (received) => {
      headers = received.toJSON();
    });
    call.on('status', (status) => {
      trailers = status.metadata?.toJSON() ?? {};
      finish();
    });
  });
}

/** Reads a server stream to its end: the messages and the error it ended with. */
export function readStream(
  stream: ClientReadableStream<unknown>,
): Promise<{ messages: unknown[]; error: ServiceError | undefined }> {
  return new Promise((resolve) => {
    const messages: unknown[] = [];
    stream.on('data', (message) => messages.push(message));
    stream.on('error', (error: ServiceError) => resolve({ messages, error }));
    stream.on('end', () => resolve({ messages, error: undefined }));
  });
}
