/**
 * The service of `cancelled.test.ts`: every method kind fails in the style and with the value the
 * call's metadata names (`x-style`, `x-value`), now or once its client cancelled (`x-wait:
 * cancel`); a service added without Faultline answers CANCELLED. Real grpc-js server and clients
 * on 127.0.0.1, on an ephemeral port.
 */
import { FaultError, type Reporter } from '@faultline/core';
import {
  type Client,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { addFaultlineService, createServerInterceptor, REQUEST_ID_KEY } from '../src/index.js';
import { method } from './fixtures.js';

/** What the thrown values hide: never visible to the client. */
const SECRET = 'db.internal hunter2';

const Service = {
  unary: method('/cancel.C/Unary', false, false),
  serverStream: method('/cancel.C/ServerStream', false, true),
  clientStream: method('/cancel.C/ClientStream', true, false),
  bidi: method('/cancel.C/Bidi', true, true),
};
/** A service added without Faultline: only the interceptor sees its statuses. */
const Plain = { unary: method('/cancel.Plain/Unary', false, false) };

/** Failure styles per method kind (those each kind supports). */
export const STYLES = {
  unary: ['throw', 'async', 'callback', 'emit', 'destroy'],
  serverStream: ['throw', 'async', 'emit', 'emit-after-write', 'destroy'],
  clientStream: ['async', 'callback-in-data', 'emit-in-data', 'destroy-in-data', 'throw-in-data'],
  bidi: ['async', 'emit-in-data', 'destroy-in-data', 'throw-in-data', 'emit-after-write'],
} as const;
export type Kind = keyof typeof STYLES;

/** What the server aborted of its own (the client is still waiting). */
const VALUES: Record<string, () => unknown> = {
  abort: () => new DOMException(`fetch to ${SECRET} aborted`, 'AbortError'),
  'wrapped-abort': () =>
    new Error(`upstream ${SECRET} aborted`, { cause: new DOMException('This operation was aborted', 'AbortError') }),
  // A downstream gRPC call this service cancelled itself.
  'downstream-cancelled': () =>
    Object.assign(new Error(`1 CANCELLED: ${SECRET}`), { code: 1, details: SECRET, metadata: new Metadata() }),
  'fault-cancelled': () => FaultError.of('cancelled', { cause: new Error(SECRET) }),
};

type AnyCall = {
  metadata: Metadata;
  cancelled: boolean;
  emit(event: string, ...args: unknown[]): boolean;
  destroy(error?: unknown): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  write?(message: unknown): boolean;
};

/** Handlers waiting for their client to cancel, by request id: resolved once the handler runs. */
export const started = new Map<string, () => void>();

/** Fails `call` in `style` with `make()`, now (or on the first message for the `-in-data` styles). */
function failIn(call: AnyCall, style: string, make: () => unknown, callback?: (error: unknown) => void): unknown {
  switch (style) {
    case 'throw':
      throw make();
    case 'async':
      return Promise.reject(make());
    case 'callback':
      callback?.(make());
      return undefined;
    case 'callback-in-data':
      call.once('data', () => callback?.(make()));
      return undefined;
    case 'emit':
      call.emit('error', make());
      return undefined;
    case 'emit-after-write':
      call.write?.({ ok: 1 });
      setImmediate(() => call.emit('error', make()));
      return undefined;
    case 'destroy':
      call.destroy(make());
      return undefined;
    case 'emit-in-data':
      call.once('data', () => call.emit('error', make()));
      return undefined;
    case 'destroy-in-data':
      call.once('data', () => call.destroy(make()));
      return undefined;
    case 'throw-in-data':
      call.on('data', () => {
        throw make();
      });
      return undefined;
    default:
      throw new Error(`unknown style ${style}`);
  }
}

/** One handler for every kind: fails now, or once the client cancelled (`x-wait: cancel`). */
function handle(call: AnyCall, callback?: (error: unknown) => void): unknown {
  const style = String(call.metadata.get('x-style')[0]);
  const make = VALUES[String(call.metadata.get('x-value')[0])] as () => unknown;
  if (call.metadata.get('x-wait')[0] !== 'cancel') return failIn(call, style, make, callback);
  // The handler aborts its own work when the client cancels, as `call.on('cancelled')` tells it.
  const cancelled = new Promise<void>((resolve) => call.on('cancelled', () => resolve()));
  started.get(String(call.metadata.get(REQUEST_ID_KEY)[0]))?.();
  return cancelled.then(() => {
    if (style === 'async') throw make();
    if (style === 'callback') return callback?.(make());
    if (style === 'emit') return void call.emit('error', make());
    call.destroy(make());
  });
}

type Method = (...args: unknown[]) => unknown;
/** A client of {@link Service}. */
export type CancelClient = Client & Record<Kind, Method>;

/** Starts the server (the wrapper and the interceptor, both with `reporter`) and its clients. */
export async function startCancelServer(reporter: Reporter) {
  const server = new Server({ interceptors: [createServerInterceptor({ reporter })] });
  addFaultlineService(
    server,
    Service,
    {
      unary: (call: AnyCall, callback: (error: unknown) => void) => handle(call, callback),
      serverStream: (call: AnyCall) => handle(call),
      clientStream: (call: AnyCall, callback: (error: unknown) => void) => handle(call, callback),
      bidi: (call: AnyCall) => handle(call),
    } as unknown as UntypedServiceImplementation,
    { reporter },
  );
  server.addService(Plain, {
    unary: (_call: unknown, callback: (error: unknown) => void) => callback(VALUES['downstream-cancelled']?.()),
  } as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  const address = `127.0.0.1:${port}`;
  const client = new (makeGenericClientConstructor(Service, 'C'))(
    address,
    credentials.createInsecure(),
  ) as unknown as CancelClient;
  const plain = new (makeGenericClientConstructor(Plain, 'P'))(
    address,
    credentials.createInsecure(),
  ) as unknown as Client & {
    unary: Method;
  };
  const stop = () => {
    client.close();
    plain.close();
    server.forceShutdown();
  };
  return { client, plain, stop };
}

export interface Stream {
  on(event: string, fn: (value: unknown) => void): void;
  write?(message: unknown): void;
  end?(): void;
  cancel(): void;
}

/** Starts one call of `kind`; `done` gets the error it ends with. Returns the call (to cancel it). */
export function start(
  client: CancelClient,
  kind: Kind,
  metadata: Metadata,
  done: (error: ServiceError | undefined) => void,
  endRequest = true,
  deadlineMs = 5000,
): Stream {
  const options = { deadline: Date.now() + deadlineMs };
  const finish = (error: ServiceError | null) => done(error ?? undefined);
  if (kind === 'unary') return client.unary({ n: 1 }, metadata, options, finish) as Stream;
  if (kind === 'clientStream') {
    const stream = client.clientStream(metadata, options, finish) as Stream;
    stream.write?.({ n: 1 });
    if (endRequest) stream.end?.();
    return stream;
  }
  const stream = (
    kind === 'serverStream' ? client.serverStream({ n: 1 }, metadata, options) : client.bidi(metadata, options)
  ) as Stream;
  stream.on('data', () => undefined);
  stream.on('error', (error) => done(error as ServiceError));
  stream.on('end', () => done(undefined));
  if (kind === 'bidi') {
    stream.write?.({ n: 1 });
    if (endRequest) stream.end?.();
  }
  return stream;
}
