/**
 * Failures after the call was answered, on a real grpc-js server and client on 127.0.0.1: a unary
 * handler that throws, calls `callback(err)` or rejects after `callback(null, value)`; a server
 * stream, a client stream and a bidi handler that fail after their answer ended. The client keeps
 * the answer it got (the value, or OK after the stream's messages), the failure is recorded once
 * under the call's `x-request-id`, redacted, nothing escapes as an uncaught exception or an
 * unhandled rejection, and the server answers the next call.
 */
import { randomUUID } from 'node:crypto';
import { createReporter } from '@faultline/core';
import { jsonKindsService, memoryLog, until } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService } from '../src/index.js';
import { bindLoopback, loopbackClient } from './fixtures.js';
import type { GenericClient } from './start-call.js';

const SECRET = 'hunter2-late';
const late = (how: string) => new Error(`late ${how} postgres://app:${SECRET}@db.internal/x`);
const tick = () => new Promise((resolve) => setImmediate(resolve));
const Service = jsonKindsService('late.L');

type Call = { metadata: Metadata; write(m: unknown): boolean; end(): void; on(e: string, f: () => void): void };
type Callback = (error: unknown, value?: unknown) => void;
const how = (call: Call) => String(call.metadata.get('x-how')[0]);

const handlers = {
  unary(call: Call, callback: Callback) {
    if (how(call) === 'fail-then-throw') {
      const error = late('fail-then-throw');
      callback(error);
      throw error;
    }
    callback(null, { ok: true });
    switch (how(call)) {
      case 'throw':
        throw late('throw');
      case 'callback-error':
        callback(late('callback-error'));
        return undefined;
      case 'callback-error-later':
        setImmediate(() => callback(late('callback-error-later')));
        return undefined;
      case 'reject':
        return tick().then(() => {
          throw late('reject');
        });
      default:
        return undefined;
    }
  },
  serverStream(call: Call & { emit(e: string, v: unknown): boolean }) {
    call.write({ ok: true });
    call.end();
    if (how(call) === 'throw') throw late('stream-throw');
    if (how(call) === 'emit') setImmediate(() => call.emit('error', late('stream-emit')));
    if (how(call) === 'reject') return tick().then(() => Promise.reject(late('stream-reject')));
    return undefined;
  },
  clientStream(call: Call, callback: Callback) {
    call.on('data', () => undefined);
    call.on('end', () => {
      callback(null, { ok: true });
      if (how(call) === 'throw') throw late('client-stream-throw');
    });
  },
  bidi(call: Call) {
    call.on('data', () => undefined);
    call.on('end', () => {
      call.write({ ok: true });
      call.end();
      if (how(call) === 'throw') throw late('bidi-throw');
    });
    if (how(call) === 'reject')
      return tick()
        .then(() => tick())
        .then(() => Promise.reject(late('bidi-reject')));
    return undefined;
  },
};

const log = memoryLog();
const escaped: unknown[] = [];
const onEscaped = (error: unknown) => escaped.push(error);
let server: Server;
let client: GenericClient & { close(): void };

beforeAll(async () => {
  process.on('uncaughtException', onEscaped);
  process.on('unhandledRejection', onEscaped);
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  addFaultlineService(server, Service, handlers as unknown as UntypedServiceImplementation, { reporter });
  client = loopbackClient(Service, 'L', await bindLoopback(server));
});
afterAll(() => {
  process.off('uncaughtException', onEscaped);
  process.off('unhandledRejection', onEscaped);
  client.close();
  server.forceShutdown();
});

/** One call of `kind` with `x-how: mode` and a fresh id; resolves with its outcome and id. */
function call(kind: string, mode: string): Promise<{ id: string; error: ServiceError | null; values: unknown[] }> {
  const id = randomUUID();
  const metadata = new Metadata();
  metadata.set('x-how', mode);
  metadata.set('x-request-id', id);
  const options = { deadline: Date.now() + 3000 };
  const values: unknown[] = [];
  return new Promise((resolve) => {
    const done = (error: ServiceError | null, value?: unknown) => {
      if (value !== undefined) values.push(value);
      resolve({ id, error, values });
    };
    const method = (client[kind] as (...args: unknown[]) => Record<string, (...a: unknown[]) => unknown>).bind(client);
    if (kind === 'unary') method({}, metadata, options, done);
    else if (kind === 'clientStream') {
      const stream = method(metadata, options, done);
      stream.write?.({ n: 1 });
      stream.end?.();
    } else {
      const stream = kind === 'serverStream' ? method({}, metadata, options) : method(metadata, options);
      stream.on?.('data', (v: unknown) => values.push(v));
      stream.on?.('error', (error: unknown) => done(error as ServiceError));
      stream.on?.('status', (status: unknown) => {
        if ((status as { code: number }).code === 0) done(null);
      });
      if (kind === 'bidi') {
        stream.write?.({ n: 1 });
        stream.end?.();
      }
    }
  });
}

describe('a failure after the call was answered', () => {
  it('unary fail-then-throw: the fault answered and recorded once, the same value thrown after it not again', async () => {
    const { id, error } = await call('unary', 'fail-then-throw');
    expect(error?.code).toBe(13);
    await until(() => log.records.some((r) => r.request_id === id));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(log.records.filter((r) => r.request_id === id)).toHaveLength(1);
    expect(escaped).toEqual([]);
  });

  it.each([
    ['unary', 'throw'],
    ['unary', 'callback-error'],
    ['unary', 'callback-error-later'],
    ['unary', 'reject'],
    ['serverStream', 'throw'],
    ['serverStream', 'emit'],
    ['serverStream', 'reject'],
    ['clientStream', 'throw'],
    ['bidi', 'throw'],
    ['bidi', 'reject'],
  ])('%s %s: the answer stands, one redacted record under its id', async (kind, mode) => {
    const { id, error, values } = await call(kind, mode);
    expect(error).toBeNull();
    expect(values).toEqual([{ ok: true }]);
    await until(() => log.records.some((r) => r.request_id === id));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const mine = log.records.filter((r) => r.request_id === id);
    expect(mine).toHaveLength(1);
    expect(JSON.stringify(mine)).not.toContain(SECRET);
    expect(escaped).toEqual([]);
    expect((await call('unary', 'none')).error).toBeNull();
  });
});
