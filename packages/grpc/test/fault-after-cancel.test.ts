/**
 * Cancellation in the middle of the error path. Handlers of every method kind fail once their
 * client has cancelled (or its deadline passed), with a downstream's status carrying a rich
 * status, so that a fault waits for the rich-status reader (loaded once per process: the four
 * calls run together, before anything loaded it) and is answered on a call that is gone. Nothing
 * throws, nothing goes unhandled, each failure is recorded once under the caller's id, and the
 * server goes on answering. Real grpc-js server and client on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { capture, createReporter, FaultError, GrpcStatus } from '@faultline/core';
import { richStatusMisses } from '@faultline/core/adapter';
import { memoryLog } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addFaultlineService, DETAILS_KEY, encodeStatusDetails, REQUEST_ID_KEY } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';

const SECRET = 'hunter2-Zq9';
const Service = {
  unary: method('/late.L/Unary', false, false),
  serverStream: method('/late.L/ServerStream', false, true),
  clientStream: method('/late.L/ClientStream', true, false),
  bidi: method('/late.L/Bidi', true, true),
};
type Kind = keyof typeof Service;
const KINDS = Object.keys(Service) as Kind[];

/** A downstream's NOT_FOUND whose rich status the reader must read. */
function downstream(): Error {
  const metadata = new Metadata();
  metadata.set(DETAILS_KEY, Buffer.from(encodeStatusDetails(capture(FaultError.of('not_found')), 'down')));
  return Object.assign(new Error(`5 NOT_FOUND: ${SECRET}`), { code: 5, details: SECRET, metadata });
}

type AnyCall = { metadata: Metadata; on(event: string, fn: () => void): void; emit(e: string, v: unknown): boolean };

/** Handlers waiting for their client to go, by request id. */
const waiting = new Map<string, () => void>();

/** Fails once the client is gone: streams by `emit('error')`, the others through their callback. */
function handle(call: AnyCall, callback?: (error: unknown) => void): void {
  if (call.metadata.get('x-now')[0] === 'yes') {
    callback?.(downstream());
    return;
  }
  call.on('cancelled', () => {
    if (callback !== undefined) callback(downstream());
    else call.emit('error', downstream());
  });
  waiting.get(String(call.metadata.get(REQUEST_ID_KEY)[0]))?.();
}

const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let client: Record<Kind, (...args: unknown[]) => { cancel(): void; on(e: string, f: () => void): void }> & {
  close(): void;
};

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  const handler = (call: AnyCall, callback?: (error: unknown) => void) => handle(call, callback);
  addFaultlineService(
    server,
    Service,
    { unary: handler, serverStream: handler, clientStream: handler, bidi: handler } as UntypedServiceImplementation,
    { reporter },
  );
  const port = await bindLoopback(server);
  client = loopbackClient(Service, 'L', port);
});
afterAll(() => {
  process.removeListener('unhandledRejection', onCrash);
  process.removeListener('uncaughtException', onCrash);
  client.close();
  server.forceShutdown();
});

/** Starts a call of `kind` under `id`, with a deadline of `deadlineMs`; resolves once its handler runs. */
function start(kind: Kind, id: string, deadlineMs: number) {
  const metadata = new Metadata();
  metadata.set(REQUEST_ID_KEY, id);
  const running = new Promise<void>((resolve) => waiting.set(id, resolve));
  const options = { deadline: Date.now() + deadlineMs };
  let ended: (error: ServiceError | undefined) => void = () => undefined;
  const done = new Promise<ServiceError | undefined>((resolve) => {
    ended = resolve;
  });
  const finish = (error: ServiceError | null) => ended(error ?? undefined);
  const call =
    kind === 'unary'
      ? client.unary({ n: 1 }, metadata, options, finish)
      : kind === 'clientStream'
        ? client.clientStream(metadata, options, finish)
        : kind === 'serverStream'
          ? client.serverStream({ n: 1 }, metadata, options)
          : client.bidi(metadata, options);
  if (kind === 'serverStream' || kind === 'bidi') {
    call.on('data', () => undefined);
    call.on('error', finish as () => void);
  }
  if (kind === 'clientStream' || kind === 'bidi') (call as unknown as { write(m: unknown): void }).write({ n: 1 });
  return { running, done, cancel: () => call.cancel() };
}

it.each([
  ['cancelled by the client', 5000],
  ['past its deadline', 150],
] as const)('every kind, %s, fails while the reader loads: no throw, one record each', async (how, deadlineMs) => {
  const calls = KINDS.map((kind) => ({ kind, id: randomUUID() })).map((c) => ({
    ...c,
    ...start(c.kind, c.id, deadlineMs),
  }));
  await Promise.all(calls.map((c) => c.running));
  const misses = richStatusMisses();
  if (how === 'cancelled by the client') for (const c of calls) c.cancel();
  const expected = how === 'cancelled by the client' ? GrpcStatus.CANCELLED : GrpcStatus.DEADLINE_EXCEEDED;
  for (const c of calls) expect((await c.done)?.code).toBe(expected);
  await new Promise((resolve) => setTimeout(resolve, 100));
  // In the first run, a fault waited for the reader (the first to come; the reader may be in by the
  // next one's turn); in the second, every fault had it.
  const waited = richStatusMisses() - misses;
  if (how === 'cancelled by the client') expect(waited).toBeGreaterThanOrEqual(1);
  else expect(waited).toBe(0);
  for (const c of calls) {
    const records = log.records.filter((record) => record.request_id === c.id);
    expect(records, c.kind).toHaveLength(1);
  }
  expect(crashes).toEqual([]);
});

it('the server still answers, with the downstream code the reader now reads', async () => {
  const metadata = new Metadata();
  metadata.set('x-now', 'yes');
  const error = await new Promise<ServiceError | undefined>((resolve) =>
    client.unary({ n: 1 }, metadata, { deadline: Date.now() + 5000 }, (e: ServiceError | null) =>
      resolve(e ?? undefined),
    ),
  );
  expectSanitized(error, 'not_found', [SECRET]);
});
