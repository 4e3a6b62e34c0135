/**
 * Round 10: the values of `round10-values.ts` (conversions that throw or return 10 MB, `__proto__`
 * keys, a Buffer of SQL, CR/LF/NUL and lone surrogates, self-listing AggregateErrors, thenables
 * that never settle, status look-alikes claiming UNAUTHENTICATED, OK, Infinity or 2^32+5, forged
 * rich statuses) through every failure style of every method kind, a `write` after the emitted
 * error included, and a failure once the client cancelled or its deadline passed. Real grpc-js
 * server and client on 127.0.0.1: each call ends promptly with the value's category, generic
 * details and one id, which exactly one record carries; nothing of the value reaches the client;
 * nothing crashes; the server keeps serving.
 */
import { randomUUID } from 'node:crypto';
import { createReporter } from '@faultline/core';
import { crashWatch, jsonKindsService, memoryLog, until } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor, REQUEST_ID_KEY } from '../src/index.js';
import { type FailingCall, failIn } from './failure-styles.js';
import { bindLoopback, loopbackClient } from './fixtures.js';
import { FORBIDDEN, ROUND10_VALUES, type Round10Value } from './round10-values.js';
import { expectSanitized } from './sanitized.js';
import { callWith, type GenericClient } from './start-call.js';

/** Failure styles per method kind (`failure-styles.ts`'s, and `write-after-emit`). */
const STYLES: Record<string, readonly string[]> = {
  unary: ['sync', 'async', 'callback', 'emit', 'emit-later', 'destroy', 'destroy-later'],
  serverStream: ['sync', 'async', 'emit-after-write', 'throw-after-write', 'destroy-later', 'write-after-emit'],
  clientStream: ['sync', 'async', 'callback', 'callback-in-data', 'emit-in-data', 'throw-in-data'],
  bidi: ['sync', 'emit-after-write', 'emit-in-data', 'throw-in-data', 'destroy-in-data', 'write-after-emit'],
};
/** Failure styles once the client is gone (run from the call's 'cancelled' listener). */
const GONE_STYLES: Record<string, readonly string[]> = {
  unary: ['callback', 'emit', 'destroy'],
  serverStream: ['emit', 'destroy', 'throw-after-write'],
  clientStream: ['callback', 'emit'],
  bidi: ['emit', 'destroy', 'emit-after-write'],
};

type Call = FailingCall & { metadata: Metadata };
type Callback = (error: unknown, value?: unknown) => void;
const header = (call: Call, key: string) => String(call.metadata.get(key)[0]);

/** Fails the call with the value and in the style its metadata names (once its client left, if asked). */
function handle(call: Call, callback?: Callback): unknown {
  const { make } = ROUND10_VALUES[header(call, 'x-value')] as Round10Value;
  const style = header(call, 'x-style');
  if (header(call, 'x-when') === 'gone') {
    call.on('cancelled', () => failIn(call, style, make, callback));
    return undefined;
  }
  if (style !== 'write-after-emit') return failIn(call, style, make, callback);
  call.write?.({ n: 1 });
  call.emit('error', make());
  // Writes after the error: refused or dropped, never a second answer or a crash.
  call.write?.({ n: 2 });
  return void call.write?.({ n: 3 });
}

const log = memoryLog();
const watch = crashWatch();
const Service = jsonKindsService('round10.T');
let server: Server;
let client: GenericClient & { close(): void };

beforeAll(async () => {
  watch.start();
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server({ interceptors: [createServerInterceptor({ reporter })] });
  const handlers = Object.fromEntries(Object.keys(Service).map((kind) => [kind, handle]));
  addFaultlineService(server, Service, handlers as UntypedServiceImplementation, { reporter });
  client = loopbackClient(Service, 'T', await bindLoopback(server));
});
afterAll(() => {
  watch.stop();
  client.close();
  server.forceShutdown();
});

/** The records of `id`, once at least one was written and 10 ms more passed. */
async function recordsOf(id: string): Promise<readonly Record<string, unknown>[]> {
  await until(() => log.records.some((record) => record.request_id === id));
  await new Promise((resolve) => setTimeout(resolve, 10));
  return log.records.filter((record) => record.request_id === id);
}

describe.concurrent.each(Object.keys(STYLES))('round 10 hostile values over gRPC %s', (kind) => {
  it.each(Object.keys(ROUND10_VALUES))('%s', async (name) => {
    const { category } = ROUND10_VALUES[name] as Round10Value;
    for (const style of STYLES[kind] as readonly string[]) {
      const error = await callWith(client, kind, { 'x-value': name, 'x-style': style });
      const id = expectSanitized(error ?? undefined, category, FORBIDDEN);
      expect(await recordsOf(id), style).toHaveLength(1);
    }
  });
});

/** Starts a call of `kind` under `id` that fails once the client `cancel`s it or its deadline passes. */
function callThenLeave(kind: string, name: string, style: string, how: string, id: string): Promise<unknown> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries({ 'x-value': name, 'x-style': style, 'x-when': 'gone' }))
    metadata.set(key, value);
  metadata.set(REQUEST_ID_KEY, id);
  const options = { deadline: Date.now() + (how === 'deadline' ? 100 : 5000) };
  type Stream = { cancel(): void; on(e: string, f: (x: unknown) => void): void; write(m: unknown): void };
  const methods = client as unknown as Record<string, (...args: unknown[]) => Stream>;
  return new Promise((resolve) => {
    let call: Stream;
    if (kind === 'unary') call = (methods.unary as (...a: unknown[]) => Stream)({ n: 1 }, metadata, options, resolve);
    else if (kind === 'clientStream')
      call = (methods.clientStream as (...a: unknown[]) => Stream)(metadata, options, resolve);
    else {
      call =
        kind === 'bidi'
          ? (methods.bidi as (...a: unknown[]) => Stream)(metadata, options)
          : (methods.serverStream as (...a: unknown[]) => Stream)({ n: 1 }, metadata, options);
      call.on('data', () => undefined);
      call.on('error', resolve);
    }
    if (kind === 'clientStream' || kind === 'bidi') call.write({ n: 1 });
    if (how === 'cancel') setTimeout(() => call.cancel(), 30);
  });
}

describe.concurrent.each(Object.keys(GONE_STYLES))('round 10 hostile values once the %s client left', (kind) => {
  it.each(Object.keys(ROUND10_VALUES))('%s: recorded once under the call, nothing crashes', async (name) => {
    for (const style of GONE_STYLES[kind] as readonly string[])
      for (const how of ['cancel', 'deadline']) {
        const id = randomUUID();
        const error = (await callThenLeave(kind, name, style, how, id)) as ServiceError;
        expect(error.code, `${style} ${how}`).toBe(how === 'cancel' ? 1 : 4);
        expect(await recordsOf(id), `${style} ${how}`).toHaveLength(1);
      }
  });
});

describe('after every round 10 value', () => {
  it('nothing crashed or went unhandled, and the server still answers', async () => {
    const error = await callWith(client, 'unary', { 'x-value': 'a Buffer of SQL text', 'x-style': 'callback' });
    expectSanitized(error ?? undefined, 'internal', FORBIDDEN);
    expect(watch.crashes).toEqual([]);
  });
});
