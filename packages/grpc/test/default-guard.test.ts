/**
 * The documented wiring is safe without `guardInterceptor`: `addFaultlineService` guards every
 * interceptor of its server that is not Faultline's. An interceptor of the application's, listed
 * as it is (not wrapped), that throws from its function, `start`, `sendMetadata`, `sendMessage`
 * or `sendStatus`, or from a listener, with each hostile value of `hostile-interceptor.ts`, on
 * every method kind of a service added with `addFaultlineService` and of one added without
 * Faultline on the same server: each call ends with Faultline's INTERNAL (generic details, one
 * id, rich status, one record), the process neither crashes nor leaves a rejection unhandled, and
 * calls that do not fail still succeed. The guarding happens once per server, leaves the
 * application's array as it was, and wraps neither Faultline's interceptor nor one guarded already.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Server, type ServerInterceptor, type UntypedServiceImplementation } from '@grpc/grpc-js';
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

const Wrapped = kinds('dflt.Wrapped');
const Plain = kinds('dflt.Plain');
const handlers = succeeding as unknown as UntypedServiceImplementation;

const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
/** Servers: Faultline's interceptor first, then the application's (`listed`); the application's alone (`alone`). */
const servers: Server[] = [];
const clients: Record<'listed' | 'alone', Record<'wrapped' | 'plain', Client>> = {} as never;

/** A server with `interceptors`, both services, bound; its two clients. */
async function start(interceptors: ServerInterceptor[]): Promise<Record<'wrapped' | 'plain', Client>> {
  const server = new Server({ interceptors });
  addFaultlineService(server, Wrapped, handlers, { reporter });
  server.addService(Plain, handlers);
  servers.push(server);
  const port = await bindLoopback(server);
  return { wrapped: loopbackClient(Wrapped, 'Wrapped', port), plain: loopbackClient(Plain, 'Plain', port) };
}

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  clients.listed = await start([createServerInterceptor({ reporter }), hostile]);
  clients.alone = await start([hostile]);
});
afterAll(() => {
  process.removeListener('unhandledRejection', onCrash);
  process.removeListener('uncaughtException', onCrash);
  for (const pair of Object.values(clients)) for (const client of Object.values(pair)) client.close();
  for (const server of servers) server.forceShutdown();
});

/** Each id has exactly one record (the log is written a little after the answer). */
async function expectRecorded(ids: readonly string[]): Promise<void> {
  const count = (id: string) => log.records.filter((r) => r.request_id === id).length;
  for (let i = 0; i < 100 && ids.some((id) => count(id) === 0); i++) await new Promise((r) => setTimeout(r, 1));
  expect(ids.map(count)).toEqual(ids.map(() => 1));
}

/** Every place of `places` with every value, on `client`'s `kind`: each call sanitized and recorded. */
async function expectEveryFailureAnswered(client: Client, kind: (typeof KINDS)[number], places: readonly string[]) {
  const ids: string[] = [];
  for (const place of places)
    for (const [name, value] of Object.entries(VALUES)) {
      failAt(place, value);
      try {
        ids.push(expectSanitized(await callKind(client, kind), 'internal', FORBIDDEN));
      } catch (failure) {
        throw new Error(`${place} / ${name}: ${(failure as Error).message}`);
      }
    }
  failAt('none');
  await expectRecorded(ids);
}

describe.each(['wrapped', 'plain'] as const)(
  'an unwrapped throwing interceptor, listed after Faultline, %s service',
  (which) => {
    it.each(KINDS)('%s: every place, every value', async (kind) => {
      await expectEveryFailureAnswered(clients.listed[which], kind, PLACES);
    });
  },
);

describe.each(['wrapped', 'plain'] as const)(
  'an unwrapped throwing interceptor alone (no createServerInterceptor), %s service',
  (which) => {
    it.each(KINDS)('%s: every place and listener, every value', async (kind) => {
      await expectEveryFailureAnswered(clients.alone[which], kind, [...PLACES, ...LISTENER_PLACES]);
    });
  },
);

describe('the guarded list', () => {
  it('calls that do not fail still succeed, on every kind and server', async () => {
    failAt('none');
    for (const pair of Object.values(clients))
      for (const client of Object.values(pair))
        for (const kind of KINDS) expect(await callKind(client, kind)).toBeUndefined();
  });

  it("is made once per server, leaves the application's array, wraps neither Faultline's nor a guarded one", () => {
    const faultline = createServerInterceptor({ reporter });
    const explicit = guardInterceptor(hostile, { reporter });
    const given = [faultline, hostile, explicit];
    const server = new Server({ interceptors: given });
    const listOf = () => (server as unknown as { interceptors: unknown[] }).interceptors;
    addFaultlineService(server, Wrapped, handlers, { reporter });
    const first = listOf();
    addFaultlineService(server, Plain, handlers, { reporter });
    expect(listOf()).toBe(first);
    expect(given).toEqual([faultline, hostile, explicit]);
    expect(first).toHaveLength(3);
    expect(first[0]).toBe(faultline);
    expect(first[1]).not.toBe(hostile);
    expect(first[2]).toBe(explicit);
    server.forceShutdown();
  });

  it('an entry that is no function ends its calls with INTERNAL instead of the process', async () => {
    const server = new Server({ interceptors: [createServerInterceptor({ reporter }), null as never] });
    addFaultlineService(server, Wrapped, handlers, { reporter });
    const client = loopbackClient<Client>(Wrapped, 'Wrapped', await bindLoopback(server));
    const ids: string[] = [];
    for (const kind of KINDS) ids.push(expectSanitized(await callKind(client, kind), 'internal', FORBIDDEN));
    await expectRecorded(ids);
    client.close();
    server.forceShutdown();
  });

  it('nothing crashed or went unhandled', () => {
    expect(crashes).toEqual([]);
  });
});
