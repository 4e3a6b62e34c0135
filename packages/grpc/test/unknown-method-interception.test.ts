/**
 * A call to an unknown path, on a server whose only interceptor is Faultline's: the interceptor
 * answers it where it meets it, and grpc-js's handler for the path (the unknown-method handler of
 * `answerUnknownMethods`) never runs, so grpc-js builds no Duplex stream for the call (issue 21:
 * that stream and its listeners survived scavenges under a load of unknown paths). The answer is
 * the one the handler sends: same code, generic details, id, rich
 * status, one record with the path. With an interceptor of the application's outside Faultline's,
 * the handler answers, as before.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import {
  credentials,
  status as GrpcStatus,
  Metadata,
  makeGenericClientConstructor,
  Server,
  type ServerInterceptingCall,
  type ServerInterceptor,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor, REQUEST_ID_KEY } from '../src/index.js';
import { bindLoopback, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const Service = { get: method('/known.S/Get', false, false) };
const UNKNOWN_PATH = '/nope.S/Nothing';
const Unknown = makeGenericClientConstructor({ nothing: method(UNKNOWN_PATH, false, false) }, 'Nope');
const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.forceShutdown();
});

/**
 * A server with Faultline's interceptor (and `app` after it, when given) and a Faultline service;
 * `handlerRuns()` counts the runs of grpc-js's handler for the unknown path.
 */
async function start(app?: ServerInterceptor): Promise<{ port: number; handlerRuns: () => number }> {
  const interceptor = createServerInterceptor({ reporter });
  const server = new Server({ interceptors: app === undefined ? [interceptor] : [interceptor, app] });
  addFaultlineService(
    server,
    Service,
    { get: (_c: unknown, cb: (e: null, v: unknown) => void) => cb(null, {}) },
    { reporter },
  );
  // The handler lookup answerUnknownMethods installed (Server#_retrieveHandler, internal), its
  // handler's function counted; the handler object is otherwise the same (its decoder included).
  const lookup = server as unknown as { _retrieveHandler(path: string): { func: (...a: unknown[]) => unknown } | null };
  const retrieve = lookup._retrieveHandler;
  let runs = 0;
  lookup._retrieveHandler = function counted(this: unknown, path: string) {
    const handler = retrieve.call(this, path);
    if (path !== UNKNOWN_PATH || handler === null) return handler;
    return {
      ...handler,
      func: (...args: unknown[]) => {
        runs += 1;
        return handler.func(...args);
      },
    };
  };
  servers.push(server);
  return { port: await bindLoopback(server), handlerRuns: () => runs };
}

/** One unary call to the unknown path; resolves with its error. */
function callUnknown(port: number): Promise<ServiceError> {
  const client = new Unknown(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as {
    nothing(...args: unknown[]): void;
    close(): void;
  };
  return new Promise((resolve, reject) =>
    client.nothing({}, new Metadata(), { deadline: Date.now() + 3000 }, (error: ServiceError | null) => {
      client.close();
      error ? resolve(error) : reject(new Error('the call succeeded'));
    }),
  );
}

describe('unknown methods answered by Faultline’s interceptor', () => {
  it('answers at interception when the interceptor is alone: grpc-js’s handler never runs', async () => {
    const { port, handlerRuns } = await start();
    const error = await callUnknown(port);
    const id = expectSanitized(error, 'not_implemented', ['nope', 'Nothing']);
    expect(error.code).toBe(GrpcStatus.UNIMPLEMENTED);
    expect(handlerRuns()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 30)); // the reporter writes asynchronously
    expect(log.records.filter((record) => record.request_id === id)).toHaveLength(1);
  });

  it('leaves the call to the handler, with the same answer, once an application interceptor is after it', async () => {
    const app: ServerInterceptor = (_descriptor, call) => call as ServerInterceptingCall;
    const { port, handlerRuns } = await start(app);
    const error = await callUnknown(port);
    const id = expectSanitized(error, 'not_implemented', ['nope', 'Nothing']);
    expect(handlerRuns()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(log.records.filter((record) => record.request_id === id)).toHaveLength(1);
  });

  it('answers both ways with the same trailer keys and status', async () => {
    const alone = await callUnknown((await start()).port);
    const behind = await callUnknown((await start((_d, call) => call as ServerInterceptingCall)).port);
    expect([alone.code, alone.details]).toEqual([behind.code, behind.details]);
    expect(Object.keys(alone.metadata.getMap()).sort()).toEqual(Object.keys(behind.metadata.getMap()).sort());
    expect(alone.metadata.get(REQUEST_ID_KEY)).toHaveLength(1);
  });
});
