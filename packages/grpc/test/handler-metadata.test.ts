/**
 * Response metadata and trailers of a handler's that are no grpc-js Metadata (a plain object, a
 * string, throwing getters, a Proxy), through `call.sendMetadata(v)`, a callback's trailers or a
 * stream's `call.end(v)`, in the handler or a turn later, on every method kind of a service added
 * with `addFaultlineService` and of one added without Faultline: grpc-js would throw on them where
 * nothing catches it (the process ended, or the call waited for its deadline). Each call ends
 * promptly with Faultline's INTERNAL and a record; real Metadata still pass, as copies.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor, wrapService } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';

const SECRET = 'hunter2-metadata';
const kinds = (prefix: string) => ({
  unary: method(`/${prefix}/Unary`, false, false),
  serverStream: method(`/${prefix}/ServerStream`, false, true),
  clientStream: method(`/${prefix}/ClientStream`, true, false),
  bidi: method(`/${prefix}/Bidi`, true, true),
});
type Kind = 'unary' | 'serverStream' | 'clientStream' | 'bidi';
const KINDS: readonly Kind[] = ['unary', 'serverStream', 'clientStream', 'bidi'];

const VALUES: Record<string, () => unknown> = {
  object: () => ({ 'x-debug': SECRET }),
  string: () => SECRET,
  'throwing getters': () => {
    const hostile = Object.create(Metadata.prototype);
    for (const key of ['clone', 'toHttp2Headers', 'internalRepr', 'toJSON', 'getMap'])
      Object.defineProperty(hostile, key, {
        get() {
          throw new Error(`getter ${SECRET}`);
        },
      });
    return hostile;
  },
  proxy: () =>
    new Proxy(new Metadata(), {
      get() {
        throw new Error(`proxy ${SECRET}`);
      },
    }),
  valid: () => {
    const metadata = new Metadata();
    metadata.set('x-app', 'kept');
    return metadata;
  },
};

type Call = {
  metadata: Metadata;
  write(v: unknown): void;
  end(m?: unknown): void;
  sendMetadata(m: unknown): void;
  on(e: string, f: (v?: unknown) => void): void;
};
type Callback = (e: null, v: unknown, trailers?: unknown) => void;

/** Answers with the value of `x-value` as `x-how` says (`sendMetadata` or `trailers`), now or a turn later. */
function answer(call: Call, callback?: Callback): void {
  const value = VALUES[String(call.metadata.get('x-value')[0])]?.();
  const how = String(call.metadata.get('x-how')[0]);
  const run = () => {
    if (how === 'sendMetadata') call.sendMetadata(value);
    if (callback !== undefined) return callback(null, { ok: 1 }, how === 'trailers' ? value : undefined);
    call.write({ ok: 1 });
    call.end(how === 'trailers' ? value : undefined);
  };
  if (String(call.metadata.get('x-later')[0]) === 'yes') setImmediate(run);
  else run();
}

const handlers = {
  unary: (call: Call, callback: Callback) => answer(call, callback),
  serverStream: (call: Call) => answer(call),
  clientStream: (call: Call, callback: Callback) => {
    call.on('data', () => undefined);
    call.on('end', () => answer(call, callback));
  },
  bidi: (call: Call) => {
    call.on('data', () => undefined);
    call.on('end', () => answer(call));
  },
} as unknown as UntypedServiceImplementation;

const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
type Client = Record<Kind, (...args: unknown[]) => unknown> & { close(): void };
let clients: { wrapped: Client; plain: Client; instrumented: Client };
/** What the `sendMetadata` an instrumentation put on each call saw (as OpenTelemetry's grpc instrumentation does). */
const instrumented: unknown[] = [];

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server({ interceptors: [createServerInterceptor({ reporter })] });
  const Wrapped = kinds('meta.Wrapped');
  const Plain = kinds('meta.Plain');
  addFaultlineService(server, Wrapped, handlers, { reporter });
  server.addService(Plain, handlers);
  // An instrumentation wraps `call.sendMetadata` on the call before the wrapped handler runs.
  const Instrumented = kinds('meta.Instrumented');
  const wrapped = wrapService(Instrumented, handlers, { reporter }) as Record<Kind, (...a: unknown[]) => unknown>;
  const instrument =
    (kind: Kind) =>
    (call: Call, ...rest: unknown[]) => {
      const own = call.sendMetadata;
      call.sendMetadata = (metadata: unknown) => {
        instrumented.push(metadata);
        own.call(call, metadata);
      };
      return wrapped[kind](call, ...rest);
    };
  server.addService(Instrumented, Object.fromEntries(KINDS.map((kind) => [kind, instrument(kind)])));
  const port = await bindLoopback(server);
  clients = {
    wrapped: loopbackClient<Client>(Wrapped, 'Wrapped', port),
    plain: loopbackClient<Client>(Plain, 'Plain', port),
    instrumented: loopbackClient<Client>(Instrumented, 'Instrumented', port),
  };
});
afterAll(() => {
  process.removeListener('unhandledRejection', onCrash);
  process.removeListener('uncaughtException', onCrash);
  clients.wrapped.close();
  clients.plain.close();
  clients.instrumented.close();
  server.forceShutdown();
});

/** One call; resolves with its error (undefined for OK) and its trailers. */
function call(client: Client, kind: Kind, how: string, value: string, later: boolean) {
  const metadata = new Metadata();
  metadata.set('x-how', how);
  metadata.set('x-value', value);
  metadata.set('x-later', later ? 'yes' : 'no');
  const options = { deadline: Date.now() + 3000 };
  return new Promise<{ error: ServiceError | undefined; trailers: Metadata }>((resolve) => {
    const noop = () => undefined;
    const stream = (
      kind === 'unary'
        ? client.unary({}, metadata, options, noop)
        : kind === 'serverStream'
          ? client.serverStream({}, metadata, options)
          : kind === 'clientStream'
            ? client.clientStream(metadata, options, noop)
            : client.bidi(metadata, options)
    ) as Call & { end(): void };
    stream.on('data', noop);
    stream.on('error', noop);
    stream.on('status', (status) => {
      const s = status as { code: number; metadata: Metadata };
      const error = s.code === 0 ? undefined : (Object.assign(new Error(), status) as ServiceError);
      resolve({ error, trailers: s.metadata });
    });
    if (kind === 'clientStream' || kind === 'bidi') {
      stream.write({});
      stream.end();
    }
  });
}

/** Each id has exactly one record (the log is written a little after the answer). */
async function expectRecorded(ids: readonly string[]): Promise<void> {
  const count = (id: string) => log.records.filter((r) => r.request_id === id).length;
  for (let i = 0; i < 100 && ids.some((id) => count(id) === 0); i++) await new Promise((r) => setTimeout(r, 1));
  expect(ids.map(count)).toEqual(ids.map(() => 1));
}

describe.each(['wrapped', 'plain'] as const)('metadata of the handler, %s service', (which) => {
  it.each(KINDS)('%s: anything but a Metadata ends the call as a fault', async (kind) => {
    const ids: string[] = [];
    for (const how of ['sendMetadata', 'trailers'])
      for (const value of ['object', 'string', 'throwing getters', 'proxy'])
        for (const later of [false, true]) {
          try {
            ids.push(
              expectSanitized((await call(clients[which], kind, how, value, later)).error, 'internal', [SECRET]),
            );
          } catch (failure) {
            throw new Error(`${how} / ${value} / later ${later}: ${(failure as Error).message}`);
          }
        }
    await expectRecorded(ids);
  });

  it.each(KINDS)('%s: a Metadata passes, its trailers kept', async (kind) => {
    expect((await call(clients[which], kind, 'sendMetadata', 'valid', false)).error).toBeUndefined();
    const { error, trailers } = await call(clients[which], kind, 'trailers', 'valid', true);
    expect(error).toBeUndefined();
    expect(trailers.get('x-app')).toEqual(['kept']);
  });
});

describe("a call's own sendMetadata, wrapped by an instrumentation before Faultline's guard", () => {
  it.each(['unary', 'bidi'] as const)('%s: still called, with the copy', async (kind) => {
    instrumented.length = 0;
    expect((await call(clients.instrumented, kind, 'sendMetadata', 'valid', false)).error).toBeUndefined();
    expect(instrumented).toHaveLength(1);
    expect((instrumented[0] as Metadata).get('x-app')).toEqual(['kept']);
  });
});

describe('after the hostile metadata', () => {
  it('nothing crashed or went unhandled', () => {
    expect(crashes).toEqual([]);
  });
});
