/**
 * The gRPC services behind the gateway in the tests: a real grpc-js server with `@faultline/grpc`
 * (trusting the gateway's id from 127.0.0.1), one that is not Faultline's (plain grpc-js, leaking
 * SQL and hosts in its status), and a grpc-js client of either through the gateway.
 */
import { createReporter } from '@faultline/core';
import { addFaultlineService } from '@faultline/grpc';
import { jsonMethod, memoryLog } from '@faultline/testkit';
import {
  type ChannelCredentials,
  credentials,
  type handleServerStreamingCall,
  type handleUnaryCall,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';

/** The service the gateway routes (`orders.v1.Orders`), JSON-coded messages. */
export const ORDERS: ServiceDefinition = {
  get: jsonMethod('/orders.v1.Orders/Get'),
  fail: jsonMethod('/orders.v1.Orders/Fail'),
  slow: jsonMethod('/orders.v1.Orders/Slow'),
  list: jsonMethod('/orders.v1.Orders/List', false, true),
  drip: jsonMethod('/orders.v1.Orders/Drip', false, true),
};

/** A service the gateway does not route. */
export const OTHER: ServiceDefinition = { get: jsonMethod('/other.v1.Other/Get') };

type Unary = handleUnaryCall<unknown, unknown>;

/** A running gRPC backend. */
export interface GrpcBackend {
  readonly port: number;
  /** The Faultline records it logged. */
  readonly records: Record<string, unknown>[];
  /** The `x-request-id` each handler saw, in call order. */
  readonly seen: string[];
  close(): Promise<void>;
}

async function bind(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
}

/**
 * Starts `orders.v1.Orders` behind Faultline on a free loopback port, with the gateway trusted
 * for the id. `Fail` throws a database error (answered INTERNAL by Faultline), `Slow` answers
 * after `slowMs`, `List` streams three messages, `Drip` one and then fails.
 */
export async function startGrpcBackend(slowMs = 1500): Promise<GrpcBackend> {
  const log = memoryLog();
  const seen: string[] = [];
  const server = new Server();
  const see = (metadata: Metadata) => seen.push(String(metadata.get('x-request-id')[0]));
  addFaultlineService(
    server,
    ORDERS,
    {
      get: ((call, callback) => {
        see(call.metadata);
        callback(null, { ok: true, echo: call.request });
      }) satisfies Unary,
      fail: ((call) => {
        see(call.metadata);
        throw Object.assign(new Error('duplicate key value violates unique constraint "orders_pkey" at 10.0.0.5'), {
          code: '23505',
          table: 'orders',
        });
      }) satisfies Unary,
      slow: ((call, callback) => {
        see(call.metadata);
        setTimeout(() => callback(null, { late: true }), slowMs);
      }) satisfies Unary,
      list: ((call) => {
        see(call.metadata);
        for (const n of [1, 2, 3]) call.write({ n });
        call.end();
      }) satisfies handleServerStreamingCall<unknown, unknown>,
      // One message, then a failure: the status comes as trailers after the headers and data.
      drip: ((call) => {
        see(call.metadata);
        call.write({ n: 1 });
        setImmediate(() => call.emit('error', new Error('connect ECONNREFUSED 10.0.0.5:5432')));
      }) satisfies handleServerStreamingCall<unknown, unknown>,
    },
    {
      reporter: createReporter({ logger: log.logger, flushOnExit: false }),
      trustedProxies: ['127.0.0.1'],
      domain: 'orders.example.com',
    },
  );
  const port = await bind(server);
  return {
    port,
    records: log.records,
    seen,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** Starts a plain grpc-js `orders.v1.Orders` (no Faultline): `Fail` answers INTERNAL naming SQL and a host. */
export async function startForeignBackend(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new Server();
  server.addService(ORDERS, {
    get: ((_call, callback) => callback(null, { ok: true })) satisfies Unary,
    fail: ((_call, callback) => {
      const metadata = new Metadata();
      metadata.set('x-debug-db', 'db-primary.internal:5432');
      callback({ code: 13, details: 'SELECT * FROM orders_private failed on db-primary.internal:5432', metadata });
    }) satisfies Unary,
    slow: ((_call, callback) => callback(null, {})) satisfies Unary,
    list: ((call) => call.end()) satisfies handleServerStreamingCall<unknown, unknown>,
    drip: ((call) => call.end()) satisfies handleServerStreamingCall<unknown, unknown>,
  });
  const port = await bind(server);
  return { port, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

/** Over TLS, the name the test certificate is checked against (not the IP literal: RFC 6066 forbids it as SNI). */
function channelOptions(creds: ChannelCredentials | undefined): Record<string, string> {
  return creds === undefined ? {} : { 'grpc.ssl_target_name_override': 'localhost' };
}

/** The outcome of one unary call through the gateway. */
export interface CallResult {
  readonly code: number;
  readonly details: string;
  readonly value?: unknown;
  /** The response headers (initial metadata). */
  readonly headers: Record<string, unknown>;
  /** The status's metadata (trailers, or the headers of a trailers-only answer). */
  readonly trailers: Record<string, unknown>;
  readonly error?: ServiceError;
}

/** Calls `path` (JSON messages) on `address` once; `metadata` sent, `deadlineMs` as the call's deadline. */
export function callGrpc(
  address: string,
  path: string,
  request: unknown,
  options: { creds?: ChannelCredentials; metadata?: Record<string, string>; deadlineMs?: number } = {},
): Promise<CallResult> {
  const name = path.split('/')[2] as string;
  const Client = makeGenericClientConstructor({ [name]: jsonMethod(path) }, 'Test');
  const client = new Client(address, options.creds ?? credentials.createInsecure(), channelOptions(options.creds));
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  type Call = { on(event: string, listener: (m: { metadata?: Metadata } & Metadata) => void): void };
  const method = (client as unknown as Record<string, (...args: unknown[]) => Call>)[name] as (...a: unknown[]) => Call;
  return new Promise((resolve) => {
    let headers: Record<string, unknown> = {};
    let trailers: Record<string, unknown> = {};
    let outcome: { error: ServiceError | null; value: unknown } | undefined;
    let statusSeen = false;
    const settle = () => {
      if (outcome === undefined || !statusSeen) return;
      client.close();
      const { error, value } = outcome;
      if (error === null) resolve({ code: 0, details: '', value, headers, trailers });
      else resolve({ code: error.code, details: error.details, headers, trailers: error.metadata.getMap(), error });
    };
    const call = method.call(
      client,
      request,
      metadata,
      { deadline: Date.now() + (options.deadlineMs ?? 10_000) },
      (error: ServiceError | null, value: unknown) => {
        outcome = { error, value };
        settle();
      },
    );
    call.on('metadata', (m) => {
      headers = m.getMap();
    });
    call.on('status', (status) => {
      trailers = status.metadata?.getMap() ?? {};
      statusSeen = true;
      settle();
    });
  });
}

/** The outcome of one server-streaming call: the messages, the status code, headers and trailers. */
export interface StreamResult {
  readonly messages: unknown[];
  readonly code: number;
  readonly headers: Record<string, unknown>;
  readonly trailers: Record<string, unknown>;
}

/** Calls the server-streaming `path` on `address` (JSON messages) and collects everything. */
export function streamGrpc(address: string, path: string, creds?: ChannelCredentials): Promise<StreamResult> {
  const name = path.split('/')[2] as string;
  const Client = makeGenericClientConstructor({ [name]: jsonMethod(path, false, true) }, 'Test');
  const client = new Client(address, creds ?? credentials.createInsecure(), channelOptions(creds));
  type Stream = { on(event: string, listener: (value: never) => void): void };
  const method = (client as unknown as Record<string, (...args: unknown[]) => Stream>)[name] as (
    ...a: unknown[]
  ) => Stream;
  return new Promise((resolve) => {
    const messages: unknown[] = [];
    let headers: Record<string, unknown> = {};
    const call = method.call(client, {}, new Metadata(), { deadline: Date.now() + 10_000 });
    call.on('data', (message: unknown) => messages.push(message));
    call.on('metadata', (m: Metadata) => {
      headers = m.getMap();
    });
    call.on('error', () => undefined);
    call.on('status', (status: { code: number; metadata: Metadata }) => {
      client.close();
      resolve({ messages, code: status.code, headers, trailers: status.metadata.getMap() });
    });
  });
}
