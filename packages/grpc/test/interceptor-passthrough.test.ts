import { TAXONOMY } from '@faultline/core';
import { jsonMethod } from '@faultline/testkit';
import {
  status as GrpcStatus,
  Metadata,
  Server,
  ServerInterceptingCall,
  type ServerInterceptor,
  type ServiceDefinition,
  type StatusObject,
} from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor, REQUEST_ID_KEY } from '../src/index.js';

const Service: ServiceDefinition = { get: jsonMethod('/pass.S/Get'), missing: jsonMethod('/pass.S/Missing') };

/** The deserializer grpc-js registered for `path` (Server#handlers, internal; pinned by the lockfile). */
function registeredDeserializer(server: Server, path: string): unknown {
  const handlers = (server as unknown as { handlers: Map<string, { deserialize: unknown }> }).handlers;
  return handlers.get(path)?.deserialize;
}

describe('server interceptor and wrapped methods', () => {
  it('returns the call untouched for a method addFaultlineService wrapped or answers itself, and intercepts the rest', () => {
    const server = new Server();
    addFaultlineService(server, Service, { get: (_call: unknown, cb: (e: null, v: unknown) => void) => cb(null, {}) });
    const interceptor = createServerInterceptor();
    const call = {} as Parameters<typeof interceptor>[1];
    const descriptor = (path: string) => ({
      path,
      requestStream: false,
      responseStream: false,
      requestDeserialize: registeredDeserializer(server, path) as (b: Buffer) => unknown,
      responseSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
    });
    const wrapped = descriptor('/pass.S/Get');
    expect(typeof wrapped.requestDeserialize).toBe('function');
    expect(interceptor(wrapped, call)).toBe(call);
    // No handler: the wrapper answers `not_implemented` itself (grpc-js's default handler is not registered).
    expect(interceptor(descriptor('/pass.S/Missing'), call)).toBe(call);
    // A service added without Faultline (plain deserializer) is intercepted.
    expect(
      interceptor({ ...wrapped, requestDeserialize: (b: Buffer) => JSON.parse(b.toString()) }, call),
    ).toBeInstanceOf(ServerInterceptingCall);
    server.forceShutdown();
  });

  it('intercepts wrapped methods too once an interceptor of the application is listed after Faultline', () => {
    const app: ServerInterceptor = (_descriptor, call) => call as ServerInterceptingCall;
    const check = (order: 'before' | 'after') => {
      const interceptor = createServerInterceptor();
      const server = new Server({ interceptors: order === 'before' ? [app, interceptor] : [interceptor, app] });
      addFaultlineService(server, Service, {
        get: (_call: unknown, cb: (e: null, v: unknown) => void) => cb(null, {}),
      });
      const call = {} as Parameters<typeof interceptor>[1];
      const descriptor = {
        path: '/pass.S/Get',
        requestStream: false,
        responseStream: false,
        requestDeserialize: registeredDeserializer(server, '/pass.S/Get') as (b: Buffer) => unknown,
        responseSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
      };
      const result = interceptor(descriptor, call);
      server.forceShutdown();
      return result === call;
    };
    // Listed before Faultline's, the application's interceptor is inside it: its statuses never reach it.
    expect(check('before')).toBe(true);
    // Listed after, its statuses go through Faultline's sendStatus: the call must be intercepted.
    expect(check('after')).toBe(false);
  });

  it('answers calls to unknown paths itself when alone (the handler gets a started-and-answered call), else intercepts them', () => {
    const app: ServerInterceptor = (_descriptor, call) => call as ServerInterceptingCall;
    const check = (order: 'alone' | 'after', startThrows = false) => {
      const interceptor = createServerInterceptor({ reporter: false });
      const server = new Server({ interceptors: order === 'alone' ? [interceptor] : [interceptor, app] });
      addFaultlineService(
        server,
        Service,
        { get: (_call: unknown, cb: (e: null, v: unknown) => void) => cb(null, {}) },
        { reporter: false },
      );
      // The handler grpc-js looks up for a path nobody registered (Server#_retrieveHandler, internal).
      const lookup = server as unknown as { _retrieveHandler(path: string): { deserialize: unknown } };
      const unknown = lookup._retrieveHandler('/nope.S/Nothing');
      const sent: StatusObject[] = [];
      // grpc-js's base call hands its request metadata over as soon as it is started.
      const call = {
        start(listener: { onReceiveMetadata(metadata: Metadata): void }) {
          if (startThrows) throw new Error('no start');
          listener.onReceiveMetadata(new Metadata());
        },
        sendStatus: (status: StatusObject) => sent.push(status),
      } as unknown as Parameters<typeof interceptor>[1];
      const result = interceptor(
        {
          path: '/nope.S/Nothing',
          requestStream: true,
          responseStream: true,
          requestDeserialize: unknown.deserialize as (b: Buffer) => unknown,
          responseSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
        },
        call,
      );
      server.forceShutdown();
      return { passed: result === call, intercepted: result instanceof ServerInterceptingCall, sent };
    };
    const alone = check('alone');
    expect([alone.passed, alone.intercepted]).toEqual([false, false]);
    expect(alone.sent.map((status) => [status.code, status.details])).toEqual([
      [GrpcStatus.UNIMPLEMENTED, TAXONOMY.not_implemented.message],
    ]);
    expect(alone.sent[0]?.metadata?.get(REQUEST_ID_KEY)).toHaveLength(1);
    // A call that cannot be started here is passed on: the unknown-method handler answers it.
    expect(check('alone', true)).toMatchObject({ passed: true, sent: [] });
    // An interceptor of the application's outside Faultline's: every call is intercepted.
    expect(check('after')).toMatchObject({ passed: false, intercepted: true, sent: [] });
  });
});
