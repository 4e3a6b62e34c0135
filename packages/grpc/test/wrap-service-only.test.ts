/**
 * A server whose services are added with `server.addService(definition, wrapService(...))` only:
 * no `createServerInterceptor`, no `addFaultlineService`, nothing else of Faultline's on it. Every
 * handler failure of every method kind (unary, server streaming, client streaming, bidi), in every
 * style the kind allows (a callback error, a sync throw, a rejected promise, `emit('error', v)`,
 * `destroy(v)`, a throw from a 'data' listener), with every value (an Error with a secret message,
 * a thrown string, `null`, `undefined`, an object whose getters throw, a Proxy whose traps throw,
 * `{ code: 'abc' }`, and errors whose `code` is 0: `{ code: 0, details }`, huge details, an Error
 * whose message is grpc-js's own "OK" with trailers of the application's), ends its call with
 * Faultline's INTERNAL: generic details, one `x-request-id` that the rich status repeats and one
 * record holds, nothing of the value. A method of the definition without a handler is answered
 * `not_implemented` the same way (grpc-js's default handler answered it with its own text, no id
 * and no record). Calls that do not fail succeed; nothing crashes or goes unhandled.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapService } from '../src/index.js';
import { type FailingCall, failIn } from './failure-styles.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { type Client, callKind, FORBIDDEN, KINDS, type Kind, kinds, SECRET, VALUES } from './hostile-interceptor.js';
import { expectSanitized } from './sanitized.js';

const FORGED_ID = '0b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e';

/** The interceptor suites' values, and errors whose `code` is 0 (OK) that grpc-js alone sends as an OK. */
const THROWN: Record<string, () => unknown> = {
  ...VALUES,
  '{ code: 0, details }': () => ({ code: 0, details: `SELECT * FROM users ${SECRET}` }),
  'Error with code 0': () => Object.assign(new Error(`SELECT password FROM users ${SECRET}`), { code: 0 }),
  "Error 'OK' with code 0 and trailers": () => {
    const metadata = new Metadata();
    metadata.set('x-request-id', FORGED_ID);
    metadata.set('x-debug', `at /srv/app/db.js:1 ${SECRET}`);
    return Object.assign(new Error('OK'), { code: 0, details: 'OK', metadata });
  },
};

/** The failure styles of `failure-styles.ts` each method kind allows. */
const STYLES: Record<Kind, readonly string[]> = {
  unary: ['callback', 'sync', 'async', 'emit', 'destroy'],
  serverStream: ['sync', 'async', 'emit', 'emit-after-write', 'throw-after-write', 'destroy'],
  clientStream: ['callback', 'callback-in-data', 'sync', 'async', 'emit-in-data', 'throw-in-data'],
  bidi: ['sync', 'async', 'emit', 'emit-in-data', 'destroy-in-data', 'throw-in-data'],
};

/** How the handlers fail: set before each call (the calls run one at a time); `none` succeeds. */
const plan: { style: string; make: () => unknown } = { style: 'none', make: () => null };

type Call = FailingCall & { write(v: unknown): boolean; end(): void };
type Callback = (error: unknown, value?: unknown) => void;

/** The handler of every kind: fails as planned, or answers once the request (stream) is in. */
function handle(call: Call, callback?: Callback): unknown {
  if (plan.style !== 'none') return failIn(call, plan.style, plan.make, callback);
  if (callback === undefined) {
    call.on('data', () => undefined);
    call.write({ ok: 1 });
    return call.end();
  }
  call.on('data', () => undefined);
  return call.on('end', () => callback(null, { ok: 1 }));
}

const Service = {
  ...kinds('wrapOnly.S'),
  missing: method('/wrapOnly.S/Missing', false, false),
  missingStream: method('/wrapOnly.S/MissingStream', true, true),
};
const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let client: Client & Record<'missing' | 'missingStream', (...args: unknown[]) => unknown>;

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  // The unary handler reads its request at once: a unary call has no request stream.
  const unary = (call: Call, callback: Callback) =>
    plan.style === 'none' ? callback(null, { ok: 1 }) : failIn(call, plan.style, plan.make, callback);
  const implementation = { unary, serverStream: handle, clientStream: handle, bidi: handle };
  server = new Server();
  server.addService(
    Service,
    wrapService(Service, implementation as unknown as UntypedServiceImplementation, { reporter }),
  );
  client = loopbackClient(Service, 'S', await bindLoopback(server));
});
afterAll(() => {
  process.removeListener('unhandledRejection', onCrash);
  process.removeListener('uncaughtException', onCrash);
  client.close();
  server.forceShutdown();
});

/** Each id has exactly one record (the log is written a little after the answer). */
async function expectRecorded(ids: readonly string[]): Promise<void> {
  const count = (id: string) => log.records.filter((r) => r.request_id === id).length;
  for (let i = 0; i < 100 && ids.some((id) => count(id) === 0); i++) await new Promise((r) => setTimeout(r, 2));
  expect(ids.map(count)).toEqual(ids.map(() => 1));
}

const forbidden = [...FORBIDDEN, FORGED_ID, 'x-debug', 'users'];

describe.each(KINDS)('a wrapService-only server, %s', (kind) => {
  it.each(Object.keys(THROWN))('%s, every style: INTERNAL, one id, one record, nothing of it', async (name) => {
    const ids: string[] = [];
    for (const style of STYLES[kind]) {
      plan.style = style;
      plan.make = THROWN[name] as () => unknown;
      try {
        ids.push(expectSanitized(await callKind(client, kind), 'internal', forbidden));
      } catch (failure) {
        throw new Error(`${style}: ${(failure as Error).message}`);
      } finally {
        plan.style = 'none';
      }
    }
    await expectRecorded(ids);
  });
});

describe('a wrapService-only server', () => {
  it('answers a method of the definition without a handler as not_implemented, with an id and a record', async () => {
    const unary = await new Promise<ServiceError | undefined>((resolve) =>
      client.missing({ n: 1 }, new Metadata(), { deadline: Date.now() + 3000 }, (error: ServiceError | null) =>
        resolve(error ?? undefined),
      ),
    );
    // The bidi method without a handler, called as `callKind`'s bidi (the client's own methods stay reachable).
    const bidi = await callKind(Object.assign(Object.create(client) as Client, { bidi: client.missingStream }), 'bidi');
    // grpc-js's own answer named the method ("The server does not implement the method missing").
    const ids = [unary, bidi].map((error) => expectSanitized(error, 'not_implemented', ['missing', 'Missing']));
    await expectRecorded(ids);
    expect(log.records.find((r) => r.request_id === ids[0])).toMatchObject({ method: '/wrapOnly.S/Missing' });
  });

  it('lets calls that do not fail succeed, on every kind', async () => {
    plan.style = 'none';
    for (const kind of KINDS) expect(await callKind(client, kind)).toBeUndefined();
  });

  it('nothing crashed or went unhandled', () => {
    expect(crashes).toEqual([]);
  });
});
