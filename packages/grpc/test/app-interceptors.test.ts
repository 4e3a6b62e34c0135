/**
 * Interceptors of the application's next to Faultline's, listed after it (grpc-js makes the last
 * interceptor the outermost): a status such an interceptor sends itself (an auth check rejecting
 * a call with its own text and trailers) and a throw from its listeners end the call as a fault,
 * on methods added with `addFaultlineService` as on the others, with one id in the trailer, the
 * rich status and the log.
 */
import { createReporter, FaultError, GrpcStatus, isUuid, TAXONOMY } from '@faultline/core';
import { decodeStatusDetails } from '@faultline/core/grpc';
import { jsonMethod, memoryLog } from '@faultline/testkit';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  type ServerInterceptor,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor } from '../src/index.js';

const SECRET = 'auth.internal:8443 hunter2';
const Wrapped = { get: jsonMethod('/app.Wrapped/Get', false, false) };
const Plain = { get: jsonMethod('/app.Plain/Get', false, false) };
type Client = { get(...args: unknown[]): unknown; close(): void };

/** The application's auth check: rejects, or throws, as the `x-auth` request metadata says. */
const auth: ServerInterceptor = (_descriptor, call) =>
  new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          const how = String(metadata.get('x-auth')[0] ?? '');
          if (how === 'reject') {
            const trailers = new Metadata();
            trailers.set('x-debug', SECRET);
            call.sendStatus({
              code: GrpcStatus.UNAUTHENTICATED,
              details: `token rejected by ${SECRET}`,
              metadata: trailers,
            });
            return;
          }
          if (how === 'throw') throw new Error(`token parser failed at ${SECRET}`);
          if (how === 'throw-fault') throw FaultError.of('unauthenticated', { message: SECRET });
          nextMetadata(metadata);
        },
      });
    },
  });

const log = memoryLog();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let server: Server;
let clients: Record<'wrapped' | 'plain', Client>;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server({ interceptors: [createServerInterceptor({ reporter }), auth] });
  const handler = () => {
    throw new Error(`handler failed ${SECRET}`);
  };
  addFaultlineService(server, Wrapped, { get: handler }, { reporter });
  server.addService(Plain, { get: (_call: unknown, done: (e: null, v: unknown) => void) => done(null, {}) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  const make = (service: typeof Wrapped, name: string) =>
    new (makeGenericClientConstructor(service, name))(
      `127.0.0.1:${port}`,
      credentials.createInsecure(),
    ) as unknown as Client;
  clients = { wrapped: make(Wrapped, 'Wrapped'), plain: make(Plain, 'Plain') };
});
afterAll(() => {
  process.removeListener('unhandledRejection', onUnhandled);
  clients.wrapped.close();
  clients.plain.close();
  server.forceShutdown();
});

function call(which: 'wrapped' | 'plain', how: string): Promise<ServiceError> {
  const metadata = new Metadata();
  metadata.set('x-auth', how);
  return new Promise((resolve, reject) =>
    clients[which].get({}, metadata, { deadline: Date.now() + 3000 }, (error: ServiceError | null) =>
      error ? resolve(error) : reject(new Error('call succeeded')),
    ),
  );
}

/** The status is Faultline's: code, generic details, one id in trailer, rich status and log; nothing else. */
async function expectFault(error: ServiceError, code: number): Promise<void> {
  const spec = Object.values(TAXONOMY).find((s) => s.grpc === code);
  expect(error.code).toBe(code);
  expect(error.details).toBe(spec?.message);
  const id = error.metadata.get('x-request-id')[0];
  expect(isUuid(id)).toBe(true);
  const blob = error.metadata.get('grpc-status-details-bin')[0] as Buffer;
  expect(decodeStatusDetails(blob)).toMatchObject({ code, requestId: id });
  expect(error.metadata.get('x-debug')).toEqual([]);
  const visible = `${error.details} ${JSON.stringify(error.metadata.getMap())} ${blob.toString('latin1')}`;
  expect(visible).not.toContain('hunter2');
  expect(visible).not.toContain('auth.internal');
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(log.records.filter((r) => r.request_id === id)).toHaveLength(1);
}

describe('an interceptor of the application, listed after Faultline', () => {
  it.each(['wrapped', 'plain'] as const)('its own rejection of a %s method is answered as a fault', async (which) => {
    await expectFault(await call(which, 'reject'), GrpcStatus.INTERNAL);
  });

  it.each(['wrapped', 'plain'] as const)(
    'a throw from its listener on a %s method ends the call as a fault, no unhandled rejection',
    async (which) => {
      unhandled.length = 0;
      await expectFault(await call(which, 'throw'), GrpcStatus.INTERNAL);
      await expectFault(await call(which, 'throw-fault'), GrpcStatus.UNAUTHENTICATED);
      expect(unhandled).toEqual([]);
    },
  );

  it("leaves the wrapped handler's own fault as it was: one answer, one record", async () => {
    await expectFault(await call('wrapped', 'pass'), GrpcStatus.INTERNAL);
  });
});
