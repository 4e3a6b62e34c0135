/**
 * A handler that assigns its own `call.emit`. grpc-js tells a call it ended (status sent, client
 * gone) by emitting 'cancelled' through `call.emit`, which is also how a call leaves its server's
 * list of calls in flight: an `emit` that does not forward the event must not keep the call
 * listed (held until the server shuts down, then cut and recorded as if it were still running).
 * An `emit` that forwards keeps every guard working: the handler's failure is still answered as a
 * fault. Every method kind; real grpc-js server and client on 127.0.0.1.
 */
import { createReporter, GrpcStatus } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inFlightCount } from '../src/in-flight.js';
import { addFaultlineService, shutdownGracefully } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';
import type { GenericClient } from './start-call.js';

const SECRET = 'hunter2-Zq9';
const Service = {
  unary: method('/emit.E/Unary', false, false),
  serverStream: method('/emit.E/ServerStream', false, true),
  clientStream: method('/emit.E/ClientStream', true, false),
  bidi: method('/emit.E/Bidi', true, true),
};
type Kind = keyof typeof Service;
const KINDS = Object.keys(Service) as Kind[];

type AnyCall = {
  metadata: Metadata;
  cancelled: boolean;
  emit: (event: string | symbol, ...args: unknown[]) => boolean;
  on(event: string, fn: (...args: unknown[]) => void): void;
};

/** The calls the handlers got, in order. */
const calls: AnyCall[] = [];
/** Events seen by the forwarding `emit`s. */
const seen: string[] = [];

/** `x-emit: swallow` replaces `emit` with one that forwards nothing and never answers; `forward` wraps it, then fails. */
function handle(call: AnyCall): void {
  calls.push(call);
  if (call.metadata.get('x-emit')[0] === 'swallow') {
    call.emit = () => true;
    return;
  }
  const own = call.emit;
  call.emit = function forwarding(this: unknown, event: string | symbol, ...args: unknown[]) {
    seen.push(String(event));
    return own.call(this, event, ...args);
  };
  call.emit('error', new Error(`SELECT * FROM users_private ${SECRET}`));
}

const log = memoryLog();
let server: Server;
let client: GenericClient & { close(): void };

beforeAll(async () => {
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  addFaultlineService(
    server,
    Service,
    {
      unary: (call: AnyCall) => handle(call),
      serverStream: (call: AnyCall) => handle(call),
      clientStream: (call: AnyCall) => handle(call),
      bidi: (call: AnyCall) => handle(call),
    } as unknown as UntypedServiceImplementation,
    { reporter },
  );
  const port = await bindLoopback(server);
  client = loopbackClient(Service, 'E', port);
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

/** Resolves once `check()` holds (polled), or rejects after 2 s. */
async function until(check: () => boolean): Promise<void> {
  for (const begun = Date.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 5)))
    if (Date.now() - begun > 2000) throw new Error('timed out');
}

/** A call as the generic client starts it. */
type ClientCall = {
  cancel(): void;
  on?(event: string, fn: (value: unknown) => void): void;
  write?(message: unknown): void;
};

/** Starts a call of `kind` with `x-emit: how` (its request side left open); its end, and its cancel. */
function start(kind: Kind, how: string) {
  const metadata = new Metadata();
  metadata.set('x-emit', how);
  const options = { deadline: Date.now() + 5000 };
  const method = client[kind] as (...args: unknown[]) => ClientCall;
  let call: ClientCall | undefined;
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    const done = (error: ServiceError | null) => resolve(error ?? undefined);
    if (kind === 'unary') call = method.call(client, { n: 1 }, metadata, options, done);
    else if (kind === 'clientStream') call = method.call(client, metadata, options, done);
    else {
      const args = kind === 'serverStream' ? [{ n: 1 }, metadata, options] : [metadata, options];
      call = method.apply(client, args);
      call.on?.('data', () => undefined);
      call.on?.('error', (error) => done(error as ServiceError));
      call.on?.('end', () => done(null));
    }
    if (kind === 'clientStream' || kind === 'bidi') call.write?.({ n: 1 });
  });
  return { ended, cancel: () => call?.cancel() };
}

describe('an emit that forwards nothing', () => {
  it.each(KINDS)('%s: a call its client cancelled leaves the list', async (kind) => {
    const before = calls.length;
    const running = start(kind, 'swallow');
    await until(() => calls.length > before);
    expect(inFlightCount(server)).toBe(1);
    running.cancel();
    expect((await running.ended)?.code).toBe(GrpcStatus.CANCELLED);
    const call = calls[before] as AnyCall;
    // grpc-js sets `cancelled` just before it emits 'cancelled'.
    await until(() => call.cancelled);
    await new Promise((resolve) => setImmediate(resolve));
    expect(inFlightCount(server)).toBe(0);
  });
});

describe('an emit that forwards', () => {
  it.each(KINDS)(
    "%s: the handler's failure is a fault, the emit saw it, and the call leaves the list",
    async (kind) => {
      seen.length = 0;
      const error = await start(kind, 'forward').ended;
      const id = expectSanitized(error, 'internal', [SECRET, 'users_private']);
      expect(seen).toContain('error');
      await until(() => seen.includes('cancelled'));
      expect(inFlightCount(server)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(log.records.filter((record) => record.request_id === id)).toHaveLength(1);
    },
  );
});

describe('then shutting down', () => {
  it('is immediate, and records no call as cut', async () => {
    const begun = Date.now();
    await shutdownGracefully(server, { timeoutMs: 2000, graceMs: 100 });
    expect(Date.now() - begun).toBeLessThan(1000);
    expect(log.records.filter((record) => record.source === 'grpc.shutdown')).toEqual([]);
  });
});
