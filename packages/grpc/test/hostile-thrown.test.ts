/**
 * The thrown values of `hostile-thrown.ts` (status look-alikes whose `code` is no gRPC code,
 * trailers the application set itself, frozen, null-prototype and non-string values, thrown
 * Promises) x every failure style of every method kind, the ones the corpus suites leave out
 * included: `callback(err, value)`, a callback a turn later, a throw from an 'end' listener, a
 * throw in or after `for await (const m of call)`, `destroy(v)` a turn later, and a response
 * holding the value that fails to serialize. Real grpc-js server and client on 127.0.0.1: each
 * call ends promptly with the value's category, the generic details, one `x-request-id` that the
 * rich status repeats and the log records, and nothing of the value; the process neither crashes
 * nor leaves a rejection unhandled, and the server keeps serving.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import { type Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inFlightCount } from '../src/in-flight.js';
import { addFaultlineService, createServerInterceptor } from '../src/index.js';
import { type FailingCall, failIn } from './failure-styles.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { FORBIDDEN, HOSTILE_THROWN, type HostileThrown } from './hostile-thrown.js';
import { expectSanitized } from './sanitized.js';
import { callWith, type GenericClient } from './start-call.js';

const Service = {
  unary: method('/thrown.T/Unary', false, false),
  serverStream: method('/thrown.T/ServerStream', false, true),
  clientStream: method('/thrown.T/ClientStream', true, false),
  bidi: method('/thrown.T/Bidi', true, true),
};
/** The same values from a service added without Faultline: grpc-js makes a status, the interceptor answers. */
const Plain = {
  unary: method('/thrown.Plain/Unary', false, false),
  serverStream: method('/thrown.Plain/ServerStream', false, true),
};

/** Failure styles per method kind: `failure-styles.ts`'s, and this suite's own (see {@link failInMore}). */
const STYLES = {
  unary: [
    'sync',
    'async',
    'callback',
    'callback-with-value',
    'callback-later',
    'emit',
    'emit-later',
    'destroy',
    'destroy-later',
    'unserializable',
  ],
  serverStream: [
    'sync',
    'async',
    'emit',
    'emit-later',
    'emit-after-write',
    'throw-after-write',
    'destroy',
    'destroy-later',
    'unserializable',
  ],
  clientStream: [
    'sync',
    'async',
    'callback',
    'callback-with-value',
    'callback-in-data',
    'emit',
    'emit-in-data',
    'destroy-in-data',
    'throw-in-data',
    'throw-in-end',
    'for-await-throw',
    'for-await-after',
    'unserializable',
  ],
  bidi: [
    'sync',
    'async',
    'emit',
    'emit-later',
    'emit-in-data',
    'emit-after-write',
    'destroy',
    'destroy-later',
    'destroy-in-data',
    'throw-in-data',
    'throw-in-end',
    'for-await-throw',
    'for-await-after',
    'unserializable',
  ],
} as const;
type Kind = keyof typeof STYLES;

type AnyCall = FailingCall & AsyncIterable<unknown> & { metadata: Metadata };
type Callback = (error: unknown, value?: unknown) => void;

/** The styles `failure-styles.ts` does not have; the others go to `failIn`. */
function failInMore(call: AnyCall, style: string, make: () => unknown, callback?: Callback): unknown {
  switch (style) {
    case 'callback-with-value':
      return callback?.(make(), { ok: true });
    case 'callback-later':
      return void setImmediate(() => callback?.(make()));
    case 'destroy-later':
      return void setImmediate(() => call.destroy(make()));
    case 'throw-in-end':
      call.on('data', () => undefined);
      return call.on('end', () => {
        throw make();
      });
    case 'for-await-throw':
      return (async () => {
        for await (const _message of call) throw make();
      })();
    case 'for-await-after':
      return (async () => {
        for await (const _message of call);
        throw make();
      })();
    case 'unserializable': {
      // The value in a response that fails to serialize (a BigInt): always the server's INTERNAL.
      const response = { value: make(), total: 1n };
      if (callback !== undefined) return callback(null, response);
      return call.write?.(response);
    }
    default:
      return failIn(call, style, make, callback);
  }
}

/** Fails the call with the value and in the style its metadata names. */
function handle(call: AnyCall, callback?: Callback): unknown {
  const value = HOSTILE_THROWN[String(call.metadata.get('x-value')[0])] as HostileThrown;
  return failInMore(call, String(call.metadata.get('x-style')[0]), value.make, callback);
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
      unary: (call: AnyCall, callback: Callback) => handle(call, callback),
      serverStream: (call: AnyCall) => handle(call),
      clientStream: (call: AnyCall, callback: Callback) => handle(call, callback),
      bidi: (call: AnyCall) => handle(call),
    } as unknown as UntypedServiceImplementation,
    { reporter },
  );
  const thrownFor = (call: AnyCall) =>
    (HOSTILE_THROWN[String(call.metadata.get('x-value')[0])] as HostileThrown).make();
  server.addService(Plain, {
    unary: (call: AnyCall, callback: Callback) => callback(thrownFor(call)),
    serverStream: (call: AnyCall) => call.emit('error', thrownFor(call)),
  } as unknown as UntypedServiceImplementation);
  const port = await bindLoopback(server);
  client = loopbackClient(Service, 'T', port);
  plain = loopbackClient(Plain, 'P', port);
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

/**
 * Asserts that call `id` is recorded exactly once: waits for its record (the reporter writes a turn
 * or more later, and later still while many calls run at once), then 5 ms for a second one.
 */
async function recordedOnce(id: string): Promise<void> {
  const records = () => log.records.filter((record) => record.request_id === id);
  await until(() => records().length > 0);
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect(records()).toHaveLength(1);
}

// The calls are independent (each its own id): the styles of one value are made at once, and the
// tests run at once. The checks after them run once they all ended.
describe.concurrent.each(Object.keys(STYLES) as Kind[])('hostile thrown values over gRPC %s', (kind) => {
  it.each(Object.keys(HOSTILE_THROWN))('%s', async (name) => {
    const { category } = HOSTILE_THROWN[name] as HostileThrown;
    const failures = await Promise.all(
      STYLES[kind].map(async (style) => {
        try {
          const error = await call(kind, name, style);
          const id = expectSanitized(error, style === 'unserializable' ? 'internal' : category, FORBIDDEN);
          await recordedOnce(id);
          return undefined;
        } catch (failure) {
          return `${kind}/${style}: ${(failure as Error).message.split('\n')[0]}`;
        }
      }),
    );
    expect(failures.filter((failure) => failure !== undefined)).toEqual([]);
  });
});

describe.concurrent('hostile thrown values from a service added without Faultline (the interceptor alone)', () => {
  it.each(Object.keys(HOSTILE_THROWN))('%s', async (name) => {
    await Promise.all(
      ['unary', 'serverStream'].map(async (kind) => {
        const error = (await callWith(plain, kind, { 'x-value': name }, 5000, {})) ?? undefined;
        const id = expectSanitized(error, HOSTILE_THROWN[name]?.foreign ?? 'internal', FORBIDDEN);
        await recordedOnce(id);
      }),
    );
  });
});

describe('after the hostile thrown values', () => {
  it('nothing crashed or went unhandled, no call is left in flight, and the server still answers', async () => {
    expect(crashes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(inFlightCount(server)).toBe(0);
    expectSanitized(await call('unary', '{ code: 5 } alone', 'sync'), 'internal', FORBIDDEN);
  });
});
