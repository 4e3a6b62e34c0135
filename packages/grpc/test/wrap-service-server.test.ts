/**
 * What `wrapService` cannot install, since it knows no server, pinned on a real grpc-js server
 * whose service is added with `server.addService(definition, wrapService(...))` only (`bare`), and
 * the documented parts that fill each gap (`wired`: `guardDefinition(definition)` given to
 * `addService`, and `answerUnknownMethods(server)`). On `bare`, grpc-js answers itself, without an
 * id and unrecorded: a call to an unknown path (UNIMPLEMENTED naming the path) and a request that
 * does not decode (INTERNAL "Error deserializing request", on every method kind); on `wired`, both
 * are Faultline's (`not_implemented`, `validation`). A response that fails to serialize is grpc-js's
 * INTERNAL on both (only `addFaultlineService` serializes responses itself). A service added
 * without Faultline on a server without its interceptor is grpc-js's alone: a unary or
 * client-streaming handler's error whose `code` is 0 goes out as an OK carrying the error's text,
 * without the message; grpc-js's client reports it as its own UNIMPLEMENTED ("No message
 * received"), without an id. Wrapped, the same handler's call is Faultline's INTERNAL
 * (`wrap-service-only.test.ts`).
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import {
  credentials,
  InterceptingCall,
  type Interceptor,
  Metadata,
  makeGenericClientConstructor,
  Server,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerUnknownMethods, guardDefinition, REQUEST_ID_KEY, wrapService } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { type Client, callKind, KINDS, kinds, SECRET, handlers as succeeding } from './hostile-interceptor.js';
import { expectSanitized } from './sanitized.js';

type Callback = (error: unknown, value?: unknown) => void;

const Service = { ...kinds('wrapServer.S'), unserializable: method('/wrapServer.S/Unserializable', false, false) };
const implementation = {
  ...succeeding,
  // A BigInt: the JSON serializer throws.
  unserializable: (_call: unknown, callback: Callback) => callback(null, { total: 1n }),
} as unknown as UntypedServiceImplementation;
/** A service added without Faultline whose handlers call back with an error whose `code` is 0. */
const Plain = {
  unary: method('/wrapServer.P/Unary', false, false),
  clientStream: method('/wrapServer.P/Up', true, false),
};
const codeZero = () => ({ code: 0, details: `SELECT * FROM users ${SECRET}` });
const plainImplementation = {
  unary: (_call: unknown, callback: Callback) => callback(codeZero()),
  clientStream: (call: { on(e: string, f: () => void): void }, callback: Callback) => {
    call.on('data', () => undefined);
    call.on('end', () => callback(codeZero()));
  },
} as unknown as UntypedServiceImplementation;
/** A client whose every request message is bytes the JSON deserializer refuses. */
const Undecodable = Object.fromEntries(
  Object.entries(kinds('wrapServer.S')).map(([name, m]) => [
    name,
    { ...m, requestSerialize: () => Buffer.from('{no') },
  ]),
);
const Unknown = { call: method('/wrapServer.Nope/Call', false, false) };

/** The statuses the plain service's client received, as they came (before grpc-js's client reads them). */
const wireStatuses: { code: number; details: string }[] = [];
const statusOnTheWire: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      next(metadata, {
        onReceiveStatus(status, nextStatus) {
          wireStatuses.push({ code: status.code, details: status.details });
          nextStatus(status);
        },
      });
    },
  });

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const servers: Server[] = [];
const closers: { close(): void }[] = [];
type Clients = {
  client: Client & { unserializable(...args: unknown[]): unknown };
  undecodable: Client;
  unknown: { call(...args: unknown[]): unknown; close(): void };
  plain: Client;
};
let bare: Clients;
let wired: Clients;

/** A server with the service added through `wrapService`, `wire`d; its clients. */
async function start(wire: (server: Server) => void, definition: typeof Service): Promise<Clients> {
  const server = new Server();
  server.addService(definition, wrapService(Service, implementation, { reporter }));
  server.addService(Plain, plainImplementation);
  wire(server);
  servers.push(server);
  const port = await bindLoopback(server);
  const clients: Clients = {
    client: loopbackClient(Service, 'S', port),
    undecodable: loopbackClient(Undecodable, 'S', port),
    unknown: loopbackClient(Unknown, 'Nope', port),
    plain: new (makeGenericClientConstructor(Plain, 'P'))(`127.0.0.1:${port}`, credentials.createInsecure(), {
      interceptors: [statusOnTheWire],
    }) as unknown as Client,
  };
  closers.push(...Object.values(clients));
  return clients;
}

beforeAll(async () => {
  bare = await start(() => undefined, Service);
  wired = await start(
    (server) => answerUnknownMethods(server, { reporter }),
    guardDefinition(Service) as unknown as typeof Service,
  );
});
afterAll(() => {
  for (const closer of closers) closer.close();
  for (const server of servers) server.forceShutdown();
});

/** One unary call of `name` on `client`; resolves with its error. */
function unary(client: object, name: string): Promise<ServiceError | undefined> {
  const call = (client as Record<string, (...args: unknown[]) => unknown>)[name] as (...args: unknown[]) => unknown;
  return new Promise((resolve) =>
    call.call(client, { n: 1 }, new Metadata(), { deadline: Date.now() + 3000 }, (error: ServiceError | null) =>
      resolve(error ?? undefined),
    ),
  );
}

/** grpc-js's own answer: `code` and `details` as given, no id, no rich status. */
function expectGrpcOwn(error: ServiceError | undefined, code: number, details: string): void {
  expect(error?.code).toBe(code);
  expect(error?.details).toBe(details);
  expect(error?.metadata.get(REQUEST_ID_KEY)).toEqual([]);
  expect(error?.metadata.get('grpc-status-details-bin')).toEqual([]);
}

describe('what a wrapService-only server leaves to grpc-js, and the parts that fill it', () => {
  it('an unknown path: grpc-js names it, without an id; with answerUnknownMethods, not_implemented', async () => {
    expectGrpcOwn(
      await unary(bare.unknown, 'call'),
      12,
      'The server does not implement the method /wrapServer.Nope/Call',
    );
    expectSanitized(await unary(wired.unknown, 'call'), 'not_implemented', ['Nope', 'wrapServer']);
  });

  it.each(KINDS)('an undecodable %s request: grpc-js INTERNAL; with guardDefinition, validation', async (kind) => {
    expectGrpcOwn(await callKind(bare.undecodable, kind), 13, 'Error deserializing request');
    expectSanitized(await callKind(wired.undecodable, kind), 'validation', ['JSON', 'position', '{no']);
  });

  it('a response that fails to serialize: grpc-js INTERNAL on both (addFaultlineService serializes itself)', async () => {
    for (const { client } of [bare, wired])
      expectGrpcOwn(await unary(client, 'unserializable'), 13, 'Error serializing response');
  });

  it('the wrapped handlers still answer on both servers', async () => {
    for (const { client } of [bare, wired])
      for (const kind of KINDS) expect(await callKind(client, kind)).toBeUndefined();
  });
});

describe('a service added without Faultline, on a server without createServerInterceptor', () => {
  it.each(['unary', 'clientStream'] as const)(
    "%s: an error whose code is 0 is grpc-js's OK without the message, no id",
    async (kind) => {
      wireStatuses.length = 0;
      const error = await callKind(bare.plain, kind);
      // The client's own text for an OK without the response message ...
      expectGrpcOwn(error, 12, 'No message received');
      // ... over the OK that went out, carrying the handler's text (what any other client reads).
      expect(wireStatuses).toEqual([{ code: 0, details: `SELECT * FROM users ${SECRET}` }]);
    },
  );
});
