/**
 * An interceptor of the application's that throws, wrapped with `guardInterceptor` and listed after
 * Faultline's: from the interceptor function itself (or one that returns a promise), `start`,
 * `sendMetadata`, `sendMessage` and `sendStatus` (and, guarded alone, each listener event), with
 * hostile values (an Error with a secret message, a string, null, an object whose every getter
 * throws), on every method
 * kind of a service added with `addFaultlineService` and of one added without Faultline. Each call
 * ends promptly with Faultline's INTERNAL (generic details, one id, rich status, a record) and
 * nothing of the value; a throw from `onCancel` (after the status) is recorded; the process
 * neither crashes nor leaves a rejection unhandled.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import {
  Metadata,
  Server,
  ServerInterceptingCall,
  type ServerInterceptor,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor, guardInterceptor } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';

const SECRET = 'hunter2-interceptor /srv/app/auth.js:12';
const kinds = (prefix: string) => ({
  unary: method(`/${prefix}/Unary`, false, false),
  serverStream: method(`/${prefix}/ServerStream`, false, true),
  clientStream: method(`/${prefix}/ClientStream`, true, false),
  bidi: method(`/${prefix}/Bidi`, true, true),
});
type Kind = 'unary' | 'serverStream' | 'clientStream' | 'bidi';
const Wrapped = kinds('guard.Wrapped');
const Plain = kinds('guard.Plain');

/** Thrown values, fresh per throw. */
const VALUES: Record<string, () => unknown> = {
  error: () => new Error(`interceptor failed at ${SECRET}`),
  string: () => `thrown string ${SECRET}`,
  null: () => null,
  'throwing getters': () => {
    const hostile = {};
    for (const key of ['message', 'name', 'stack', 'code', 'details', 'metadata', 'cause', 'then'])
      Object.defineProperty(hostile, key, {
        enumerable: true,
        get() {
          throw new Error(`getter ${key} ${SECRET}`);
        },
      });
    return hostile;
  },
};

/** Where the interceptor throws, outside any listener (Faultline's interceptor, listed first, catches those). */
const PLACES = ['interceptor', 'async interceptor', 'start', 'sendMetadata', 'sendMessage', 'sendStatus'] as const;
/** The listener events: caught by the guard itself when it has no Faultline interceptor beneath it. */
const LISTENER_PLACES = ['onReceiveMetadata', 'onReceiveMessage', 'onReceiveHalfClose'] as const;

/** Where the application's interceptor throws, and what: set before each call (the calls run one at a time). */
let plan: { place: string; value: () => unknown } = { place: 'none', value: () => null };

/** The application's interceptor: throws `plan.value()` at `plan.place`. */
const hostile: ServerInterceptor = (_method, call) => {
  const { place, value } = plan;
  const at = (here: string) => {
    if (place === here) throw value();
  };
  at('interceptor');
  if (place === 'async interceptor') return Promise.reject(value()) as unknown as ServerInterceptingCall;
  if (place === 'proxy call') {
    const trap = () => {
      throw value();
    };
    return new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap }) as unknown as ServerInterceptingCall;
  }
  return new ServerInterceptingCall(call, {
    start(next) {
      at('start');
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          at('onReceiveMetadata');
          nextMetadata(metadata);
        },
        onReceiveMessage(message, nextMessage) {
          at('onReceiveMessage');
          nextMessage(message);
        },
        onReceiveHalfClose(nextHalfClose) {
          at('onReceiveHalfClose');
          nextHalfClose();
        },
        onCancel() {
          at('onCancel');
        },
      });
    },
    sendMetadata(metadata, next) {
      at('sendMetadata');
      next(metadata);
    },
    sendMessage(message, next) {
      at('sendMessage');
      next(message);
    },
    sendStatus(status, next) {
      at('sendStatus');
      next(status);
    },
  });
};

type Call = {
  write(v: unknown): void;
  end(): void;
  on(e: string, f: (v?: unknown) => void): void;
};
/** Handlers that succeed: one message each, after the request (or the request stream's end). */
const handlers = {
  unary: (_call: Call, callback: (e: null, v: unknown) => void) => callback(null, { ok: 1 }),
  serverStream: (call: Call) => {
    call.write({ ok: 1 });
    call.end();
  },
  clientStream: (call: Call, callback: (e: null, v: unknown) => void) => {
    call.on('data', () => undefined);
    call.on('end', () => callback(null, { ok: 1 }));
  },
  bidi: (call: Call) => {
    call.on('data', () => call.write({ ok: 1 }));
    call.on('end', () => call.end());
  },
} as unknown as UntypedServiceImplementation;

const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
/** A server with the guarded interceptor alone (no `createServerInterceptor`): the guard catches the listeners' throws itself. */
let alone: Server;
let aloneClient: Client;
type Client = Record<Kind, (...args: unknown[]) => unknown> & { close(): void };
let clients: { wrapped: Client; plain: Client };

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server({
    interceptors: [createServerInterceptor({ reporter }), guardInterceptor(hostile, { reporter })],
  });
  addFaultlineService(server, Wrapped, handlers, { reporter });
  server.addService(Plain, handlers);
  const port = await bindLoopback(server);
  clients = {
    wrapped: loopbackClient<Client>(Wrapped, 'Wrapped', port),
    plain: loopbackClient<Client>(Plain, 'Plain', port),
  };
  alone = new Server({ interceptors: [guardInterceptor(hostile, { reporter })] });
  alone.addService(Plain, handlers);
  aloneClient = loopbackClient<Client>(Plain, 'Plain', await bindLoopback(alone));
});
afterAll(() => {
  process.removeListener('unhandledRejection', onCrash);
  process.removeListener('uncaughtException', onCrash);
  clients.wrapped.close();
  clients.plain.close();
  aloneClient.close();
  server.forceShutdown();
  alone.forceShutdown();
});

/** One call of `kind`; resolves with its final status (code, and the error when not OK). */
function call(client: Client, kind: Kind): Promise<ServiceError | undefined> {
  const options = { deadline: Date.now() + 3000 };
  return new Promise((resolve) => {
    const done = (error: ServiceError | null) => resolve(error ?? undefined);
    if (kind === 'unary') return void client.unary({ n: 1 }, new Metadata(), options, done);
    if (kind === 'clientStream') {
      const stream = client.clientStream(new Metadata(), options, done) as Call;
      stream.write({ n: 1 });
      return stream.end();
    }
    const stream = (
      kind === 'serverStream'
        ? client.serverStream({ n: 1 }, new Metadata(), options)
        : client.bidi(new Metadata(), options)
    ) as Call;
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    stream.on('status', (status) => {
      const s = status as { code: number };
      resolve(s.code === 0 ? undefined : (Object.assign(new Error(), status) as ServiceError));
    });
    if (kind === 'bidi') {
      stream.write({ n: 1 });
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

describe.each(['wrapped', 'plain'] as const)('a throwing interceptor of the application, %s service', (which) => {
  it.each(['unary', 'serverStream', 'clientStream', 'bidi'] as const)('%s: every place, every value', async (kind) => {
    const ids: string[] = [];
    for (const place of PLACES)
      for (const [name, value] of Object.entries(VALUES)) {
        plan = { place, value };
        try {
          ids.push(expectSanitized(await call(clients[which], kind), 'internal', [SECRET, 'hunter2']));
        } catch (failure) {
          throw new Error(`${place} / ${name}: ${(failure as Error).message}`);
        }
      }
    await expectRecorded(ids);
  });
});

describe('an interceptor that returns a Proxy whose traps throw, for its call', () => {
  it.each(['unary', 'serverStream', 'clientStream', 'bidi'] as const)('%s', async (kind) => {
    plan = { place: 'proxy call', value: VALUES.error as () => unknown };
    await expectRecorded([expectSanitized(await call(clients.plain, kind), 'internal', [SECRET, 'hunter2'])]);
  });
});

describe('the guarded interceptor alone (no createServerInterceptor), a service added without Faultline', () => {
  it.each(['unary', 'serverStream', 'clientStream', 'bidi'] as const)('%s: a throw from a listener', async (kind) => {
    const ids: string[] = [];
    for (const place of LISTENER_PLACES)
      for (const [name, value] of Object.entries(VALUES)) {
        plan = { place, value };
        try {
          ids.push(expectSanitized(await call(aloneClient, kind), 'internal', [SECRET, 'hunter2']));
        } catch (failure) {
          throw new Error(`${place} / ${name}: ${(failure as Error).message}`);
        }
      }
    await expectRecorded(ids);
  });
});

describe('a throw from the interceptor once the status was sent', () => {
  it('onCancel: the call keeps its answer, the throw is recorded, nothing crashes', async () => {
    const before = log.records.length;
    plan = { place: 'onCancel', value: VALUES.error as () => unknown };
    expect(await call(clients.plain, 'unary')).toBeUndefined();
    for (let i = 0; i < 50 && log.records.length === before; i++) await new Promise((r) => setTimeout(r, 1));
    expect(log.records.length).toBe(before + 1);
    plan = { place: 'none', value: () => null };
  });

  it('nothing crashed or went unhandled, and calls still succeed', async () => {
    expect(crashes).toEqual([]);
    expect(await call(clients.wrapped, 'bidi')).toBeUndefined();
    expect(await call(clients.plain, 'unary')).toBeUndefined();
  });
});
