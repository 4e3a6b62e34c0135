/**
 * An interceptor of the application listed after Faultline's (grpc-js makes it the outer one, so
 * every status passes it before Faultline's) that changes the statuses it forwards: appends debug
 * text to the details, adds a trailer, swaps the id, rewrites the code, clones the trailers to add
 * to them, or forwards a status object that cannot be read. Whatever it does, the client gets the
 * fault as Faultline made it (code, generic details, the one id the log has) and none of what the
 * interceptor added; a throw from any of its hooks ends the call as a fault too. The changes are
 * `status-changes.ts`'s. Real grpc-js server and client on 127.0.0.1.
 */
import { createReporter, GrpcStatus } from '@faultline/core';
import { jsonMethod, memoryLog } from '@faultline/testkit';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerInterceptingCall,
  type ServerInterceptor,
  type ServiceError,
  type StatusObject,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor } from '../src/index.js';
import { bindLoopback } from './fixtures.js';
import { expectSanitized } from './sanitized.js';
import { FORBIDDEN, SECRET, STATUS_CHANGES } from './status-changes.js';

const Wrapped = { get: jsonMethod('/tamper.Wrapped/Get', false, false) };
const Plain = { get: jsonMethod('/tamper.Plain/Get', false, false) };
type Client = { get(...args: unknown[]): unknown; close(): void };

/** The application's interceptor: rewrites statuses, or throws from one of its hooks. */
const tamper: ServerInterceptor = (_descriptor, call) => {
  let how = '';
  return new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          how = String(metadata.get('x-tamper')[0] ?? '');
          nextMetadata(metadata);
        },
        onReceiveMessage(message, nextMessage) {
          if (how === 'throw-on-message') throw new Error(SECRET);
          nextMessage(message);
        },
        onReceiveHalfClose(nextHalfClose) {
          if (how === 'throw-on-half-close') throw new Error(SECRET);
          nextHalfClose();
        },
      });
    },
    sendStatus(status, next) {
      if (how === 'throw-on-status') throw new Error(SECRET);
      const change = STATUS_CHANGES[how];
      next(status.code === GrpcStatus.OK || change === undefined ? status : change(status as StatusObject));
    },
  });
};

const log = memoryLog();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let server: Server;
let clients: Record<'wrapped' | 'plain', Client>;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server({ interceptors: [createServerInterceptor({ reporter }), tamper] });
  addFaultlineService(
    server,
    Wrapped,
    {
      get: () => {
        throw new Error(SECRET);
      },
    },
    { reporter },
  );
  // A service added without Faultline whose handler answers with its own status and trailers.
  server.addService(Plain, {
    get: (_call: unknown, done: (error: unknown) => void) => {
      const metadata = new Metadata();
      metadata.set('x-debug', SECRET);
      done({ code: GrpcStatus.INTERNAL, details: SECRET, metadata });
    },
  } as UntypedServiceImplementation);
  const port = await bindLoopback(server);
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

function call(which: 'wrapped' | 'plain', how: string): Promise<ServiceError | undefined> {
  const metadata = new Metadata();
  metadata.set('x-tamper', how);
  return new Promise((resolve) =>
    clients[which].get({}, metadata, { deadline: Date.now() + 3000 }, (error: ServiceError | null) =>
      resolve(error ?? undefined),
    ),
  );
}

/** The one record of `id`, after the reporter wrote it. */
async function recordsOf(id: string): Promise<Record<string, unknown>[]> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return log.records.filter((record) => record.request_id === id);
}

describe('a status changed by an interceptor outside Faultline', () => {
  it.each(
    (['wrapped', 'plain'] as const).flatMap((which) => Object.keys(STATUS_CHANGES).map((how) => [which, how] as const)),
  )('%s method, %s: the client gets the fault as made, with the id of its record', async (which, how) => {
    const id = expectSanitized(await call(which, how), 'internal', FORBIDDEN);
    expect(await recordsOf(id)).toHaveLength(1);
  });
});

describe('a throw from a hook of an interceptor outside Faultline', () => {
  it.each(
    (['wrapped', 'plain'] as const).flatMap((which) =>
      ['throw-on-message', 'throw-on-half-close', 'throw-on-status'].map((how) => [which, how] as const),
    ),
  )('%s method, %s: a fault with its id and record, no unhandled rejection', async (which, how) => {
    unhandled.length = 0;
    const id = expectSanitized(await call(which, how), 'internal', FORBIDDEN);
    expect((await recordsOf(id)).length).toBeGreaterThanOrEqual(1);
    expect(unhandled).toEqual([]);
  });
});
