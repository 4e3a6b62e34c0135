/**
 * A streaming handler of a service added without Faultline that ends with
 * `call.emit('error', e)` where `e`'s code is OK (0) but its text is not grpc-js's own "OK"
 * (`{ code: 0 }`, `{ code: 0, details: 'SELECT ...' }`, huge details, an Error with code 0), or whose
 * code is no number (`{ code: 'abc' }`). grpc-js alone sends the first kind as an OK carrying the
 * text (a false success that leaks it: pinned below); with Faultline's interceptor, every one is
 * INTERNAL with the generic details, one id, the rich status and one record, on server-streaming
 * and bidi methods. Values grpc-js cannot read (null, undefined, a string, throwing getters, a
 * Proxy) emitted in the handler's own turn are answered the same way.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerInterceptor } from '../src/index.js';
import { bindLoopback, loopbackClient } from './fixtures.js';
import { type Client, FORBIDDEN, kinds, SECRET, VALUES } from './hostile-interceptor.js';
import { expectSanitized } from './sanitized.js';

const Plain = kinds('okcode.Plain');

/** Error-shaped values grpc-js reads: an OK code with text of the application's, or no numeric code. */
const READABLE: Record<string, () => unknown> = {
  '{ code: 0 }': () => ({ code: 0 }),
  "{ code: 0, details: 'SELECT ...' }": () => ({ code: 0, details: `SELECT * FROM users_private ${SECRET}` }),
  'huge details': VALUES['huge details'] as () => unknown,
  "{ code: 'abc' }": VALUES["{ code: 'abc' }"] as () => unknown,
  'Error with code 0': () => Object.assign(new Error(`SELECT password FROM users ${SECRET}`), { code: 0 }),
};
/** Values grpc-js's `serverErrorToStatus` throws on: only in the handler's own turn does grpc-js catch that. */
const UNREADABLE = ['null', 'undefined', 'string', 'throwing getters', 'proxy whose traps throw'];

type StreamCall = {
  metadata: Metadata;
  write(v: unknown): void;
  emit(e: string, v: unknown): void;
  on(e: string, f: () => void): void;
};
const failureOf = (call: StreamCall) => {
  const name = String(call.metadata.get('x-value')[0]);
  return (READABLE[name] ?? VALUES[name] ?? (() => null))();
};
const handlers = {
  // In the handler's own turn, after a message.
  serverStream: (call: StreamCall) => {
    call.write({ n: 1 });
    call.emit('error', failureOf(call));
  },
  // Later: once the request stream ended.
  bidi: (call: StreamCall) => {
    call.on('data', () => call.write({ n: 1 }));
    call.on('end', () => call.emit('error', failureOf(call)));
  },
} as unknown as UntypedServiceImplementation;

const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const servers: Server[] = [];
let clients: { faultline: Client; bare: Client };

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  const withFaultline = new Server({ interceptors: [createServerInterceptor({ reporter })] });
  withFaultline.addService(Plain, handlers);
  const bare = new Server();
  bare.addService(Plain, handlers);
  servers.push(withFaultline, bare);
  const [a, b] = await Promise.all(servers.map(bindLoopback));
  clients = {
    faultline: loopbackClient(Plain, 'Plain', a as number),
    bare: loopbackClient(Plain, 'Plain', b as number),
  };
});
afterAll(() => {
  process.removeListener('unhandledRejection', onCrash);
  process.removeListener('uncaughtException', onCrash);
  for (const client of Object.values(clients)) client.close();
  for (const server of servers) server.forceShutdown();
});

/** A streaming call failing with the value `name`; resolves with its status (`code` 0 included). */
function call(client: Client, kind: 'serverStream' | 'bidi', name: string): Promise<ServiceError> {
  const metadata = new Metadata();
  metadata.set('x-value', name);
  const options = { deadline: Date.now() + 3000 };
  return new Promise((resolve) => {
    const stream = (
      kind === 'serverStream' ? client.serverStream({ n: 1 }, metadata, options) : client.bidi(metadata, options)
    ) as { on(e: string, f: (v: unknown) => void): void; write(v: unknown): void; end(): void };
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    stream.on('status', (status) => resolve(Object.assign(new Error(), status) as ServiceError));
    if (kind === 'bidi') {
      stream.write({ n: 1 });
      stream.end();
    }
  });
}

/** `expectSanitized` for a status that may be OK (`code` 0): a status, not a success. */
function expectFault(status: ServiceError): string {
  return expectSanitized(status.code === 0 ? undefined : status, 'internal', FORBIDDEN);
}

describe('grpc-js alone (no Faultline): the premise', () => {
  it('sends { code: 0, details } emitted on a stream as an OK that carries the details', async () => {
    const status = await call(clients.bare, 'serverStream', "{ code: 0, details: 'SELECT ...' }");
    expect(status.code).toBe(0);
    expect(status.details).toContain('SELECT');
  });
});

describe.each(['serverStream', 'bidi'] as const)("Faultline's interceptor, %s", (kind) => {
  it.each(Object.keys(READABLE))('%s: INTERNAL with an id, one record, nothing of the value', async (name) => {
    const id = expectFault(await call(clients.faultline, kind, name));
    for (let i = 0; i < 100 && !log.records.some((r) => r.request_id === id); i++)
      await new Promise((r) => setTimeout(r, 1));
    expect(log.records.filter((r) => r.request_id === id)).toHaveLength(1);
  });
});

describe("Faultline's interceptor, values grpc-js cannot read, in the handler's turn", () => {
  it.each(UNREADABLE)('serverStream, %s: INTERNAL with an id', async (name) => {
    expectFault(await call(clients.faultline, 'serverStream', name));
  });

  it('nothing crashed or went unhandled', () => {
    expect(crashes).toEqual([]);
  });
});
