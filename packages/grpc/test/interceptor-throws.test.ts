/**
 * An interceptor of the application's that throws, wrapped with `guardInterceptor` and listed after
 * Faultline's: from the interceptor function itself (or one that returns a promise), `start`,
 * `sendMetadata`, `sendMessage` and `sendStatus` (and, guarded alone, each listener event), with
 * the hostile values of `hostile-interceptor.ts` (an Error with a secret message, a string, null,
 * undefined, throwing getters, a Proxy, `{ code: 'abc' }`, huge details), on every method kind of
 * a service added with `addFaultlineService` and of one added without Faultline. Each call
 * ends promptly with Faultline's INTERNAL (generic details, one id, rich status, a record) and
 * nothing of the value; a throw from `onCancel` (after the status) is recorded; the process
 * neither crashes nor leaves a rejection unhandled.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Server, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor, guardInterceptor } from '../src/index.js';
import { bindLoopback, loopbackClient } from './fixtures.js';
import {
  type Client,
  callKind,
  FORBIDDEN,
  failAt,
  hostile,
  KINDS,
  kinds,
  LISTENER_PLACES,
  PLACES,
  handlers as succeeding,
  VALUES,
} from './hostile-interceptor.js';
import { expectSanitized } from './sanitized.js';

const Wrapped = kinds('guard.Wrapped');
const Plain = kinds('guard.Plain');
const handlers = succeeding as unknown as UntypedServiceImplementation;

const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
/** A server with the guarded interceptor alone (no `createServerInterceptor`): the guard catches the listeners' throws itself. */
let alone: Server;
let aloneClient: Client;
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

/** Each id has exactly one record (the log is written a little after the answer). */
async function expectRecorded(ids: readonly string[]): Promise<void> {
  const count = (id: string) => log.records.filter((r) => r.request_id === id).length;
  for (let i = 0; i < 100 && ids.some((id) => count(id) === 0); i++) await new Promise((r) => setTimeout(r, 1));
  expect(ids.map(count)).toEqual(ids.map(() => 1));
}

describe.each(['wrapped', 'plain'] as const)('a throwing interceptor of the application, %s service', (which) => {
  it.each(KINDS)('%s: every place, every value', async (kind) => {
    const ids: string[] = [];
    for (const place of PLACES)
      for (const [name, value] of Object.entries(VALUES)) {
        failAt(place, value);
        try {
          ids.push(expectSanitized(await callKind(clients[which], kind), 'internal', FORBIDDEN));
        } catch (failure) {
          throw new Error(`${place} / ${name}: ${(failure as Error).message}`);
        }
      }
    await expectRecorded(ids);
  });
});

describe('an interceptor that returns a Proxy whose traps throw, for its call', () => {
  it.each(KINDS)('%s', async (kind) => {
    failAt('proxy call', VALUES.error);
    await expectRecorded([expectSanitized(await callKind(clients.plain, kind), 'internal', FORBIDDEN)]);
  });
});

describe('the guarded interceptor alone (no createServerInterceptor), a service added without Faultline', () => {
  it.each(KINDS)('%s: a throw from a listener', async (kind) => {
    const ids: string[] = [];
    for (const place of LISTENER_PLACES)
      for (const [name, value] of Object.entries(VALUES)) {
        failAt(place, value);
        try {
          ids.push(expectSanitized(await callKind(aloneClient, kind), 'internal', FORBIDDEN));
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
    failAt('onCancel', VALUES.error);
    expect(await callKind(clients.plain, 'unary')).toBeUndefined();
    for (let i = 0; i < 50 && log.records.length === before; i++) await new Promise((r) => setTimeout(r, 1));
    expect(log.records.length).toBe(before + 1);
    failAt('none');
  });

  it('nothing crashed or went unhandled, and calls still succeed', async () => {
    expect(crashes).toEqual([]);
    expect(await callKind(clients.wrapped, 'bidi')).toBeUndefined();
    expect(await callKind(clients.plain, 'unary')).toBeUndefined();
  });
});
