/**
 * An interceptor of the application's whose `async` hook or listener rejects (`start`,
 * `sendMetadata`, `sendMessage`, `sendStatus`, `onReceiveMetadata`, `onReceiveMessage`,
 * `onReceiveHalfClose`: `async (value, next) => { throw x }`, which grpc-js leaves an unhandled
 * rejection and the call waiting for its deadline), with each hostile value of
 * `hostile-interceptor.ts`, on every method kind: guarded by `addFaultlineService` (listed
 * unwrapped after Faultline's interceptor, services added with and without Faultline) and by
 * `guardInterceptor` alone (a server without any other Faultline part), each call ends with
 * Faultline's INTERNAL (generic details, one id, rich status, one record). A rejected `onCancel`
 * (after the status) is recorded only; `async` hooks that resolve keep their calls working; the
 * process neither crashes nor leaves a rejection unhandled.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import {
  Server,
  ServerInterceptingCall,
  type ServerInterceptor,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor, guardInterceptor } from '../src/index.js';
import { bindLoopback, loopbackClient } from './fixtures.js';
import {
  ASYNC_PLACES,
  type Client,
  callKind,
  FORBIDDEN,
  failAt,
  hostile,
  KINDS,
  kinds,
  handlers as succeeding,
  VALUES,
} from './hostile-interceptor.js';
import { expectSanitized } from './sanitized.js';

const Wrapped = kinds('async.Wrapped');
const Plain = kinds('async.Plain');
const handlers = succeeding as unknown as UntypedServiceImplementation;

/** `async` hooks and listeners that resolve: each awaits, then passes its value on. */
const tick = () => new Promise((resolve) => setImmediate(resolve));
const awaiting: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    async start(next) {
      await tick();
      next({
        async onReceiveMetadata(metadata, nextMetadata) {
          await tick();
          nextMetadata(metadata);
        },
        async onReceiveMessage(message, nextMessage) {
          await tick();
          nextMessage(message);
        },
      });
    },
    async sendStatus(status, next) {
      await tick();
      next(status);
    },
  });

const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const servers: Server[] = [];
let clients: { wrapped: Client; plain: Client; explicit: Client; awaiting: Client };

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const listed = new Server({ interceptors: [createServerInterceptor({ reporter }), hostile] });
  addFaultlineService(listed, Wrapped, handlers, { reporter });
  listed.addService(Plain, handlers);
  // No other part of Faultline: the guard alone, on a service added without Faultline.
  const explicit = new Server({ interceptors: [guardInterceptor(hostile, { reporter })] });
  explicit.addService(Plain, handlers);
  const resolving = new Server({ interceptors: [createServerInterceptor({ reporter }), awaiting] });
  addFaultlineService(resolving, Wrapped, handlers, { reporter });
  servers.push(listed, explicit, resolving);
  const [a, b, c] = await Promise.all(servers.map(bindLoopback));
  clients = {
    wrapped: loopbackClient(Wrapped, 'Wrapped', a as number),
    plain: loopbackClient(Plain, 'Plain', a as number),
    explicit: loopbackClient(Plain, 'Plain', b as number),
    awaiting: loopbackClient(Wrapped, 'Wrapped', c as number),
  };
});
afterAll(() => {
  process.removeListener('unhandledRejection', onCrash);
  process.removeListener('uncaughtException', onCrash);
  for (const client of Object.values(clients)) client.close();
  for (const server of servers) server.forceShutdown();
});

/** Each id has exactly one record (the log is written a little after the answer). */
async function expectRecorded(ids: readonly string[]): Promise<void> {
  const count = (id: string) => log.records.filter((r) => r.request_id === id).length;
  for (let i = 0; i < 100 && ids.some((id) => count(id) === 0); i++) await new Promise((r) => setTimeout(r, 1));
  expect(ids.map(count)).toEqual(ids.map(() => 1));
}

describe.each(['wrapped', 'plain', 'explicit'] as const)('a rejected async hook or listener, %s', (which) => {
  it.each(KINDS)('%s: every hook and listener, every value', async (kind) => {
    const ids: string[] = [];
    for (const place of ASYNC_PLACES)
      for (const [name, value] of Object.entries(VALUES)) {
        failAt(place, value);
        try {
          ids.push(expectSanitized(await callKind(clients[which], kind), 'internal', FORBIDDEN));
        } catch (failure) {
          throw new Error(`${place} / ${name}: ${(failure as Error).message}`);
        }
      }
    failAt('none');
    await expectRecorded(ids);
  });
});

describe('after the status', () => {
  it.each(['plain', 'explicit'] as const)(
    'a rejected async onCancel (%s): the call keeps its answer, one record',
    async (which) => {
      const before = log.records.length;
      failAt('async onCancel', VALUES.error);
      expect(await callKind(clients[which], 'unary')).toBeUndefined();
      for (let i = 0; i < 50 && log.records.length === before; i++) await new Promise((r) => setTimeout(r, 1));
      expect(log.records.length).toBe(before + 1);
      failAt('none');
    },
  );
});

describe('async hooks that resolve', () => {
  it.each(KINDS)('%s: the call succeeds', async (kind) => {
    expect(await callKind(clients.awaiting, kind)).toBeUndefined();
  });

  it('nothing crashed or went unhandled', () => {
    expect(crashes).toEqual([]);
  });
});
