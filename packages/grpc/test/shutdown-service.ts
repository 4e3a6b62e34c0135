/**
 * The service of `shutdown.test.ts`: every method kind, each handler doing what its request (or
 * its call's `x-mode` metadata) says: `hang` never answers, `slow` answers after `x-ms`
 * milliseconds (a server-streaming handler writes a message every 10 ms meanwhile). Each handler
 * reports its start on {@link handlers} (event: the method kind). Real grpc-js server and client
 * on 127.0.0.1, on an ephemeral port.
 */
import { EventEmitter } from 'node:events';
import type { Reporter } from '@faultline/core';
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
import { addFaultlineService, createServerInterceptor, REQUEST_ID_KEY, wrapService } from '../src/index.js';
import { method } from './fixtures.js';

export const Service = {
  unary: method('/shutdown.S/Unary', false, false),
  serverStream: method('/shutdown.S/ServerStream', false, true),
  clientStream: method('/shutdown.S/ClientStream', true, false),
  bidi: method('/shutdown.S/Bidi', true, true),
};
export type Kind = keyof typeof Service;
export const KINDS = Object.keys(Service) as Kind[];

/** Emits the method kind when a handler starts, with the call. */
export const handlers = new EventEmitter();

type AnyCall = {
  metadata: Metadata;
  on(event: string, fn: (...args: unknown[]) => void): void;
  write(message: unknown): boolean;
  end(): void;
};

/** What the call's metadata asks for: its mode and delay. */
function modeOf(call: AnyCall): { mode: string; ms: number } {
  return { mode: String(call.metadata.get('x-mode')[0]), ms: Number(call.metadata.get('x-ms')[0] ?? 0) };
}

/** The handlers: `slow` answers after `x-ms` ms (later than the deadline for a late answer), `hang` never. */
export const implementation = {
  unary(call: AnyCall, callback: (error: unknown, value?: unknown) => void) {
    handlers.emit('unary', call);
    const { mode, ms } = modeOf(call);
    if (mode === 'slow') setTimeout(() => callback(null, { ok: true }), ms);
  },
  serverStream(call: AnyCall) {
    handlers.emit('serverStream', call);
    const { mode, ms } = modeOf(call);
    let n = 0;
    // Mid-stream: a message every 10 ms, still writing after the call was answered at the deadline.
    const timer = setInterval(() => call.write({ n: ++n }), 10);
    const stop = setTimeout(() => clearInterval(timer), 3000);
    call.on('close', () => setTimeout(() => clearInterval(timer), 50));
    if (mode === 'slow')
      setTimeout(() => {
        clearInterval(timer);
        clearTimeout(stop);
        call.end();
      }, ms);
  },
  clientStream(call: AnyCall, callback: (error: unknown, value?: unknown) => void) {
    handlers.emit('clientStream', call);
    const { mode, ms } = modeOf(call);
    call.on('data', () => undefined);
    if (mode === 'slow') setTimeout(() => callback(null, { ok: true }), ms);
  },
  bidi(call: AnyCall) {
    handlers.emit('bidi', call);
    const { mode, ms } = modeOf(call);
    call.on('data', (message) => call.write({ echo: message }));
    if (mode === 'slow') setTimeout(() => call.end(), ms);
  },
} as unknown as UntypedServiceImplementation;

type Method = (...args: unknown[]) => unknown;
/** A client of {@link Service}. */
export type ShutdownClient = Client & Record<Kind, Method>;

/**
 * A server with the service added by `addFaultlineService`, or by `server.addService` as it is
 * (`plain`) or wrapped by `wrapService` alone.
 */
export async function startShutdownServer(
  reporter: Reporter,
  how: 'faultline' | 'plain' | 'wrapService' = 'faultline',
) {
  const server = new Server({ interceptors: [createServerInterceptor({ reporter })] });
  if (how === 'faultline') addFaultlineService(server, Service, implementation, { reporter });
  else if (how === 'wrapService') server.addService(Service, wrapService(Service, implementation, { reporter }));
  else server.addService(Service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  const client = new (makeGenericClientConstructor(Service, 'S'))(
    `127.0.0.1:${port}`,
    credentials.createInsecure(),
  ) as unknown as ShutdownClient;
  return { server, client };
}

/** A started call: how it ended, the messages it received, and its cancel. */
export interface Started {
  readonly ended: Promise<{ error: ServiceError | undefined; messages: number }>;
  cancel(): void;
}

/**
 * Starts a call of `kind` with `mode` (`hang`, `slow`) and `ms`; the request side stays open for
 * the client-streaming and bidi kinds (the handler is mid-call). `id` is sent as `x-request-id`.
 */
export function startCall(client: ShutdownClient, kind: Kind, mode: string, ms = 0, id?: string): Started {
  const metadata = new Metadata();
  metadata.set('x-mode', mode);
  metadata.set('x-ms', String(ms));
  if (id !== undefined) metadata.set(REQUEST_ID_KEY, id);
  const options = { deadline: Date.now() + 10_000 };
  let messages = 0;
  let call: { cancel(): void; on?(e: string, f: (v: unknown) => void): void; write?(m: unknown): void };
  const ended = new Promise<{ error: ServiceError | undefined; messages: number }>((resolve) => {
    const done = (error: ServiceError | null | undefined) => resolve({ error: error ?? undefined, messages });
    if (kind === 'unary') call = client.unary({}, metadata, options, done) as typeof call;
    else if (kind === 'clientStream') call = client.clientStream(metadata, options, done) as typeof call;
    else {
      call = (
        kind === 'serverStream' ? client.serverStream({}, metadata, options) : client.bidi(metadata, options)
      ) as {
        cancel(): void;
        on(e: string, f: (v: unknown) => void): void;
      };
      call.on?.('data', () => {
        messages += 1;
      });
      call.on?.('error', (error) => done(error as ServiceError));
      call.on?.('end', () => done(undefined));
    }
    call.write?.({ n: 1 });
  });
  return { ended, cancel: () => call.cancel() };
}
