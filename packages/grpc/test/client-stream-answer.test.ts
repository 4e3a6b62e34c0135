/**
 * `call.write()` and `call.end()` on a client-streaming call. grpc-js 1.14 hands its handler a
 * Duplex: `write(v)` besides the callback makes the client report its own UNIMPLEMENTED "Too many
 * responses received", `end()` without the callback its UNIMPLEMENTED "No message received", and
 * a written message that fails to serialize gets grpc-js's INTERNAL: no id, no record. Each is the
 * server's fault (INTERNAL, its id in the trailers and the rich status, recorded with the misuse
 * as its cause), answered at once; a `write` or `end` after the answer changes nothing, also
 * while the answer's fault waits for the rich-status reader. `destroy(v)` and `emit('error', v)`
 * with a hostile value, in the handler's body, fail the call too. Real grpc-js server and client
 * on 127.0.0.1.
 */
import { capture, createReporter, FaultError, GrpcStatus } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inFlightCount } from '../src/in-flight.js';
import { addFaultlineService, DETAILS_KEY, encodeStatusDetails, wrapService } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';

const SECRET = 'hunter2-Zq9';
const Service = { upload: method('/cs.C/Upload', true, false) };

type ClientStreamCall = {
  metadata: Metadata;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  write(message: unknown, callback?: (error: unknown) => void): boolean;
  end(metadata?: Metadata): void;
  destroy(error?: unknown): void;
  emit(event: string, ...args: unknown[]): boolean;
};
type Callback = (error: unknown, value?: unknown) => void;

/** A value nothing can read without a throw: every trap throws. */
function hostile(): unknown {
  const trap = () => {
    throw new Error(`trap ${SECRET}`);
  };
  return new Proxy({}, { get: trap, getPrototypeOf: trap, ownKeys: trap, has: trap, getOwnPropertyDescriptor: trap });
}

/** A downstream's NOT_FOUND carrying a rich status (its fault waits for the reader the first time). */
function downstreamNotFound(): Error {
  const metadata = new Metadata();
  metadata.set(DETAILS_KEY, Buffer.from(encodeStatusDetails(capture(FaultError.of('not_found')), 'down')));
  return Object.assign(new Error(`5 NOT_FOUND: ${SECRET}`), { code: 5, details: SECRET, metadata });
}

/** What the write callbacks got, by `x-how`. */
const writeCallbacks = new Map<string, unknown>();

/** What the handler does once the request stream ended (or at once, for `*-now`), by `x-how`. */
function act(how: string, call: ClientStreamCall, callback: Callback): void {
  const trailers = new Metadata();
  trailers.set('x-debug', SECRET);
  switch (how) {
    case 'write-then-answer':
      call.write({ partial: SECRET });
      callback(null, { ok: true });
      break;
    case 'write-then-end':
      call.write({ partial: SECRET });
      call.end();
      break;
    case 'write-bigint':
      call.write({ total: 10n, note: SECRET });
      break;
    case 'write-hostile':
      call.write(hostile());
      break;
    case 'write-callback':
      call.write({ partial: SECRET }, (error) => writeCallbacks.set(how, error));
      break;
    case 'end':
    case 'end-now':
      call.end();
      break;
    case 'end-with-trailers':
      call.end(trailers);
      break;
    case 'answer-then-write':
      callback(null, { ok: true });
      call.write({ partial: SECRET });
      break;
    case 'answer-then-end':
      callback(null, { ok: true });
      call.end();
      break;
    case 'fail-then-end':
      callback(downstreamNotFound());
      call.end(trailers);
      break;
    case 'destroy-hostile':
    case 'destroy-hostile-now':
      call.destroy(hostile());
      break;
    case 'destroy-empty':
    case 'destroy-empty-now':
      call.destroy();
      break;
    case 'emit-hostile':
    case 'emit-hostile-now':
      call.emit('error', hostile());
      break;
    default:
      callback(null, { ok: true });
  }
}

function handle(call: ClientStreamCall, callback: Callback): void {
  const how = String(call.metadata.get('x-how')[0]);
  call.on('data', () => undefined);
  if (how.endsWith('-now')) act(how, call, callback);
  else call.on('end', () => act(how, call, callback));
}

const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let client: { upload(...args: unknown[]): { write(m: unknown): void; end(): void }; close(): void };
let wrapped: typeof client;

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  addFaultlineService(server, Service, { upload: handle } as unknown as UntypedServiceImplementation, { reporter });
  // The same handler with `wrapService` alone (grpc-js serializes): the same answers.
  const Wrapped = { upload: method('/cs.W/Upload', true, false) };
  server.addService(
    Wrapped,
    wrapService(Wrapped, { upload: handle } as unknown as UntypedServiceImplementation, { reporter }),
  );
  const port = await bindLoopback(server);
  client = loopbackClient(Service, 'C', port);
  wrapped = loopbackClient(Wrapped, 'W', port);
});
afterAll(() => {
  process.removeListener('unhandledRejection', onCrash);
  process.removeListener('uncaughtException', onCrash);
  client.close();
  wrapped.close();
  server.forceShutdown();
});

/** One client-streaming call sending one message; resolves with its outcome and how long it took. */
function call(how: string, to = client): Promise<{ error: ServiceError | undefined; value: unknown; ms: number }> {
  const metadata = new Metadata();
  metadata.set('x-how', how);
  const started = Date.now();
  return new Promise((resolve) => {
    const stream = to.upload(metadata, { deadline: Date.now() + 3000 }, (error: ServiceError | null, value: unknown) =>
      resolve({ error: error ?? undefined, value, ms: Date.now() - started }),
    );
    stream.write({ n: 1 });
    stream.end();
  });
}

async function recordOf(id: string): Promise<Record<string, unknown> | undefined> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return log.records.find((record) => record.request_id === id);
}

/** The call ended at once with Faultline's INTERNAL; its record (the misuse as `error_type`). */
async function expectInternal(how: string, errorType: string, to = client): Promise<Record<string, unknown>> {
  const { error, value, ms } = await call(how, to);
  expect(ms).toBeLessThan(2000);
  expect(value).toBeUndefined();
  const forbidden = [SECRET, 'x-debug', 'partial', 'Too many', 'No message', 'serializ', 'BigInt'];
  const id = expectSanitized(error, 'internal', forbidden);
  const record = await recordOf(id);
  const path = to === client ? '/cs.C/Upload' : '/cs.W/Upload';
  expect(record).toMatchObject({ code: 'INTERNAL', method: path, error_type: errorType });
  expect(inFlightCount(server)).toBe(0);
  return record as Record<string, unknown>;
}

describe('call.write() on a client-streaming call', () => {
  it('before the callback: INTERNAL with its id at once, recorded as WrittenToClientStreamingCall; the callback changes nothing', async () => {
    await expectInternal('write-then-answer', 'WrittenToClientStreamingCall');
  });

  it('then call.end(): the write is the misuse recorded', async () => {
    await expectInternal('write-then-end', 'WrittenToClientStreamingCall');
  });

  it.each(['write-bigint', 'write-hostile'])(
    '%s (a message that cannot be serialized): the misuse, never grpc-js serializer error',
    async (how) => {
      await expectInternal(how, 'WrittenToClientStreamingCall');
    },
  );

  it('the write callback gets the error on the next tick', async () => {
    await expectInternal('write-callback', 'WrittenToClientStreamingCall');
    expect(writeCallbacks.get('write-callback')).toBeInstanceOf(Error);
    expect((writeCallbacks.get('write-callback') as Error).name).toBe('WrittenToClientStreamingCall');
  });

  it('after the callback: the answer stands, the written message is not sent', async () => {
    const { error, value, ms } = await call('answer-then-write');
    expect({ error, value }).toEqual({ error: undefined, value: { ok: true } });
    expect(ms).toBeLessThan(2000);
  });

  it('with wrapService alone (grpc-js serializes): the same fault', async () => {
    await expectInternal('write-then-answer', 'WrittenToClientStreamingCall', wrapped);
    await expectInternal('write-bigint', 'WrittenToClientStreamingCall', wrapped);
  });
});

describe('call.end() on a client-streaming call not answered yet', () => {
  it.each(['end', 'end-now', 'end-with-trailers'])(
    '%s: INTERNAL with its id, recorded as EndedWithoutAnswer',
    async (how) => {
      const record = await expectInternal(how, 'EndedWithoutAnswer');
      expect(JSON.stringify(record)).toContain('client-streaming call ended with call.end()');
    },
  );

  it('with wrapService alone: the same fault', async () => {
    await expectInternal('end', 'EndedWithoutAnswer', wrapped);
  });
});

describe('call.end() after the answer', () => {
  it('leaves a message answered as it was', async () => {
    const { error, value } = await call('answer-then-end');
    expect({ error, value }).toEqual({ error: undefined, value: { ok: true } });
  });

  it('leaves a fault as it is, also while the fault waits for the rich-status reader', async () => {
    const { error } = await call('fail-then-end');
    expect(error?.code).toBe(GrpcStatus.NOT_FOUND);
    expectSanitized(error, 'not_found', [SECRET, 'x-debug']);
  });
});

describe('destroy() and emit("error") in the handler body of a client-streaming call', () => {
  it.each([
    'destroy-hostile-now',
    'destroy-empty-now',
    'emit-hostile-now',
    'destroy-hostile',
    'destroy-empty',
    'emit-hostile',
  ])('%s: INTERNAL with its id, recorded', async (how) => {
    const { error, ms } = await call(how);
    expect(ms).toBeLessThan(2000);
    const id = expectSanitized(error, 'internal', [SECRET, 'trap']);
    expect(await recordOf(id)).toMatchObject({ code: 'INTERNAL', method: '/cs.C/Upload' });
    expect(inFlightCount(server)).toBe(0);
  });
});

describe('the process', () => {
  it('neither crashed nor left a rejection unhandled', () => {
    expect(crashes).toEqual([]);
  });
});
