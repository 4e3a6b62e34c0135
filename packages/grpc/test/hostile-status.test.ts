/**
 * Hostile gRPC-shaped thrown values (`hostile-statuses.ts`) through a real grpc-js server and
 * client, every method kind x every failure style: each call ends promptly with the value's
 * category, the generic details, one `x-request-id` (a UUID, logged) that the rich status's
 * RequestInfo repeats, only Faultline's trailers, and nothing of the value anywhere the client
 * can read; the same values answered by a service added without Faultline get the interceptor's
 * answer, as clean, and their successes (a unary message with trailers of the application's, a
 * stream ended without messages) still pass. The process neither crashes nor leaves a rejection
 * unhandled.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor } from '../src/index.js';
import { type FailingCall, failIn } from './failure-styles.js';
import { bindLoopback, method } from './fixtures.js';
import { FORBIDDEN, HOSTILE_STATUSES, type HostileStatus } from './hostile-statuses.js';
import { expectSanitized } from './sanitized.js';
import { callWith, type GenericClient } from './start-call.js';

const Service = {
  unary: method('/hostile.H/Unary', false, false),
  serverStream: method('/hostile.H/ServerStream', false, true),
  clientStream: method('/hostile.H/ClientStream', true, false),
  bidi: method('/hostile.H/Bidi', true, true),
};

const Plain = {
  unary: method('/hostile.Plain/Unary', false, false),
  ok: method('/hostile.Plain/Ok', false, false),
  empty: method('/hostile.Plain/Empty', false, true),
};

/** Failure styles per method kind. */
const STYLES = {
  unary: ['sync', 'async', 'callback', 'emit', 'destroy', 'destroy-later'],
  serverStream: ['sync', 'async', 'emit', 'emit-after-write', 'throw-after-write', 'destroy'],
  clientStream: ['async', 'callback-in-data', 'emit-in-data', 'destroy-in-data', 'throw-in-data'],
  bidi: ['async', 'emit-in-data', 'destroy-in-data', 'throw-in-data', 'emit-after-write'],
} as const;
type Kind = keyof typeof STYLES;

type AnyCall = FailingCall & { metadata: Metadata };

/** Fails the call with the value and in the style its metadata names. */
function handle(call: AnyCall, callback?: (error: unknown) => void): unknown {
  const name = String(call.metadata.get('x-value')[0]);
  const value = HOSTILE_STATUSES[name];
  if (value === undefined) throw new Error(`unknown value ${name}`);
  return failIn(call, String(call.metadata.get('x-style')[0]), value.make, callback);
}

const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let client: GenericClient & { close(): void };
let plain: GenericClient & { close(): void };

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server({ interceptors: [createServerInterceptor({ reporter })] });
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
  // The same values answered by a service added without Faultline: only the interceptor sees them.
  server.addService(Plain, {
    unary: (call: AnyCall, callback: (error: unknown) => void) =>
      callback(HOSTILE_STATUSES[String(call.metadata.get('x-value')[0])]?.make()),
    // Successes: a message with trailers of the application's; a stream that ends without messages.
    ok: (_call: AnyCall, callback: (error: null, value?: unknown, trailers?: Metadata) => void) => {
      const trailers = new Metadata();
      trailers.set('x-app', 'kept');
      callback(null, { ok: true }, trailers);
    },
    empty: (call: { end(): void }) => call.end(),
  } as unknown as UntypedServiceImplementation);
  const port = await bindLoopback(server);
  const Client = makeGenericClientConstructor(Service, 'H');
  client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as typeof client;
  const PlainClient = makeGenericClientConstructor(Plain, 'P');
  plain = new PlainClient(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as typeof client;
});
afterAll(() => {
  process.removeListener('unhandledRejection', onCrash);
  process.removeListener('uncaughtException', onCrash);
  client.close();
  plain.close();
  server.forceShutdown();
});

/** One call of `kind` failing with `name` in `style`; resolves with its error (a 5 s deadline catches a hang). */
function call(kind: Kind, name: string, style: string): Promise<ServiceError | undefined> {
  return callWith(client, kind, { 'x-value': name, 'x-style': style }).then((error) => error ?? undefined);
}

describe.each(Object.keys(STYLES) as Kind[])('hostile statuses over gRPC %s', (kind) => {
  it.each(Object.keys(HOSTILE_STATUSES))('%s', async (name) => {
    const { category } = HOSTILE_STATUSES[name] as HostileStatus;
    for (const style of STYLES[kind]) {
      try {
        const id = expectSanitized(await call(kind, name, style), category, FORBIDDEN);
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(log.records.some((record) => record.request_id === id)).toBe(true);
      } catch (failure) {
        throw new Error(`${kind}/${style}: ${(failure as Error).message}`);
      }
    }
  });
});

describe('hostile statuses answered by a service added without Faultline (the interceptor alone)', () => {
  it.each(Object.keys(HOSTILE_STATUSES))('%s', async (name) => {
    const error = (await callWith(plain, 'unary', { 'x-value': name }, 5000, {})) ?? undefined;
    const id = expectSanitized(error, HOSTILE_STATUSES[name]?.foreign ?? 'internal', FORBIDDEN);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(log.records.some((record) => record.request_id === id)).toBe(true);
  });
});

describe('an OK of a service added without Faultline (the interceptor alone)', () => {
  it("passes a unary success with its message and the application's trailers", async () => {
    const trailers = await new Promise<Metadata>((resolve, reject) => {
      const call = (plain.ok as (...a: unknown[]) => { on(e: string, f: (m: Metadata) => void): void })(
        {},
        (error: ServiceError | null) => error && reject(error),
      );
      call.on('status', (status: unknown) => resolve((status as { metadata: Metadata }).metadata));
    });
    expect(trailers.get('x-app')).toEqual(['kept']);
  });

  it('passes a server stream that ends without messages', async () => {
    const stream = (plain.empty as (...a: unknown[]) => NodeJS.EventEmitter)({});
    const code = await new Promise((resolve) => stream.on('status', (s: { code: number }) => resolve(s.code)));
    expect(code).toBe(0);
  });
});

describe('after the hostile statuses', () => {
  it('nothing crashed or went unhandled, and the server still answers', async () => {
    expect(crashes).toEqual([]);
    expectSanitized(await call('unary', 'status whose every getter throws', 'sync'), 'internal', FORBIDDEN);
  });
});
