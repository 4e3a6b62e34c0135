/**
 * `call.end()` and `call.write()` on a unary call. grpc-js 1.14 hands unary handlers a Writable,
 * whose `end()` sends OK without a message: the client then reports its own UNIMPLEMENTED "No
 * message received", with no id, and the server records nothing. Its `write(v)` sends a message
 * besides the callback's: a grpc-js client that got two then reads no status and waits for its
 * deadline. A handler that ends its unary call that way (with or without trailers), or writes to it
 * before its answer, fails the call as a fault; `end()` or `write()` after the handler's answer
 * changes nothing, also while the answer's fault waits for the rich-status reader. Real grpc-js
 * server and client on 127.0.0.1.
 */
import { capture, createReporter, FaultError, GrpcStatus } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, DETAILS_KEY, encodeStatusDetails } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';

const SECRET = 'hunter2-Zq9';
const Service = { get: method('/end.E/Get', false, false) };

type UnaryCall = {
  metadata: Metadata;
  write(message: unknown, callback?: (error?: Error | null) => void): boolean;
  end(metadata?: Metadata): void;
};

/** A downstream's NOT_FOUND carrying a rich status (its fault waits for the reader the first time). */
function downstreamNotFound(): Error {
  const metadata = new Metadata();
  metadata.set(DETAILS_KEY, Buffer.from(encodeStatusDetails(capture(FaultError.of('not_found')), 'down')));
  return Object.assign(new Error(`5 NOT_FOUND: ${SECRET}`), { code: 5, details: SECRET, metadata });
}

/** What write callbacks were called with (`'nothing'`: no error). */
const writeCallbackGot: string[] = [];

/** What the handler does, by the call's `x-how` metadata. */
function handle(call: UnaryCall, callback: (error: unknown, value?: unknown) => void): void {
  const trailers = new Metadata();
  trailers.set('x-debug', SECRET);
  switch (String(call.metadata.get('x-how')[0])) {
    case 'end':
      call.end();
      break;
    case 'end-with-trailers':
      call.end(trailers);
      break;
    case 'write-then-end':
      call.write({ partial: SECRET });
      call.end();
      break;
    case 'end-later':
      setImmediate(() => call.end());
      break;
    case 'write-then-answer':
      call.write({ partial: SECRET });
      callback(null, { ok: true });
      break;
    case 'write-with-callback':
      call.write({ partial: SECRET }, (error) => {
        writeCallbackGot.push(error?.name ?? 'nothing');
      });
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
      call.end();
      break;
    default:
      callback(null, { ok: true });
  }
}

const log = memoryLog();
let server: Server;
let client: { get(...args: unknown[]): unknown; close(): void };

beforeAll(async () => {
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  addFaultlineService(server, Service, { get: handle } as unknown as UntypedServiceImplementation, { reporter });
  const port = await bindLoopback(server);
  client = loopbackClient(Service, 'E', port);
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

function call(how: string): Promise<{ error: ServiceError | undefined; value: unknown }> {
  const metadata = new Metadata();
  metadata.set('x-how', how);
  return new Promise((resolve) =>
    client.get({}, metadata, { deadline: Date.now() + 3000 }, (error: ServiceError | null, value: unknown) =>
      resolve({ error: error ?? undefined, value }),
    ),
  );
}

async function recordOf(id: string): Promise<Record<string, unknown> | undefined> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return log.records.find((record) => record.request_id === id);
}

describe('call.end() on a unary call not answered yet', () => {
  it.each(['end', 'end-with-trailers', 'end-later'])(
    '%s: INTERNAL with its id, recorded as EndedWithoutAnswer',
    async (how) => {
      const { error } = await call(how);
      const id = expectSanitized(error, 'internal', [SECRET, 'x-debug', 'No message']);
      expect(await recordOf(id)).toMatchObject({ code: 'INTERNAL', error_type: 'EndedWithoutAnswer' });
    },
  );

  it('write-then-end: INTERNAL with its id, the write being the first misuse (WrittenToUnaryCall)', async () => {
    const { error, value } = await call('write-then-end');
    expect(value).toBeUndefined();
    const id = expectSanitized(error, 'internal', [SECRET, 'x-debug', 'No message', 'partial']);
    expect(await recordOf(id)).toMatchObject({ code: 'INTERNAL', error_type: 'WrittenToUnaryCall' });
  });
});

describe('call.write() on a unary call', () => {
  // grpc-js alone sends both messages; its client then reads no status and waits for its deadline.
  it('before the callback: INTERNAL with its id at once, recorded as WrittenToUnaryCall; the callback changes nothing', async () => {
    const started = Date.now();
    const { error, value } = await call('write-then-answer');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(value).toBeUndefined();
    const id = expectSanitized(error, 'internal', [SECRET, 'partial']);
    expect(await recordOf(id)).toMatchObject({ code: 'INTERNAL', error_type: 'WrittenToUnaryCall' });
  });

  it('with a write callback: the callback gets the error, as a failed write', async () => {
    const { error } = await call('write-with-callback');
    expectSanitized(error, 'internal', [SECRET, 'partial']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writeCallbackGot).toEqual(['WrittenToUnaryCall']);
  });

  it('after the callback: the answer stands, the written message is not sent', async () => {
    const started = Date.now();
    expect(await call('answer-then-write')).toEqual({ error: undefined, value: { ok: true } });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('call.end() after the answer', () => {
  it('leaves a message answered as it was', async () => {
    expect(await call('answer-then-end')).toEqual({ error: undefined, value: { ok: true } });
  });

  it('leaves a fault as it is, also while the fault waits for the rich-status reader', async () => {
    const { error } = await call('fail-then-end');
    expect(error?.code).toBe(GrpcStatus.NOT_FOUND);
    expectSanitized(error, 'not_found', [SECRET]);
  });
});
