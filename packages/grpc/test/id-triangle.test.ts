/**
 * The id triangle on grpc-js under real OpenTelemetry (instrumentation-grpc, see otel-setup.ts):
 * for every failure style, the `x-request-id` trailer == the rich status's RequestInfo id == the
 * `request_id` of exactly one log record == `app.error.id` on the call's server span. Real server
 * and client on 127.0.0.1.
 */
import { SPAN_ATTRIBUTES } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import type { Metadata, Server, ServiceError, UntypedServiceImplementation } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatusDetails } from '../src/rich-status.js';
import { method } from './fixtures.js';
import { inFreshTrace, startTracing, type Tracing } from './otel-setup.js';
import { type GenericClient, startCall } from './start-call.js';

const Registered = {
  unary: method('/tri.T/Unary', false, false),
  serverStream: method('/tri.T/ServerStream', false, true),
  clientStream: method('/tri.T/ClientStream', true, false),
  bidi: method('/tri.T/Bidi', true, true),
};
const Service = { ...Registered, missing: method('/tri.T/Missing', false, false) };
const Small = { unary: method('/tri.Small/Unary', false, false) };
const Plain = { unary: method('/tri.Plain/Unary', false, false) };

type Call = {
  metadata: Metadata;
  request?: unknown;
  write(m: unknown): boolean;
  end(): void;
  emit(e: string, ...a: unknown[]): boolean;
  on(e: string, f: (...a: unknown[]) => void): void;
};
type Callback = (error: unknown, value?: unknown) => void;

const secret = () => new Error('db.internal password=hunter2');
const how = (c: Call) => String(c.metadata.get('x-how')[0]);

const impl = {
  unary(c: Call, callback: Callback) {
    switch (how(c)) {
      case 'throw':
        throw secret();
      case 'callback':
        return callback(secret());
      case 'string':
        throw 'thrown string hunter2';
      case 'end':
        return c.end();
      default:
        return callback(null, { ok: true });
    }
  },
  async serverStream(c: Call) {
    if (how(c) === 'async') {
      await new Promise((r) => setImmediate(r));
      throw secret();
    }
    c.write({ n: 1 });
    c.write({ n: 2 });
    setImmediate(() => c.emit('error', secret()));
  },
  clientStream(c: Call, callback: Callback) {
    c.on('data', () => callback(secret()));
  },
  bidi(c: Call) {
    c.on('data', () => {
      c.write({ echo: 1 });
      c.emit('error', secret());
    });
  },
} as unknown as UntypedServiceImplementation;

const log = memoryLog();
let tracing: Tracing;
let server: Server;
let client: GenericClient & { close(): void };
let small: GenericClient & { close(): void };
let plain: GenericClient & { close(): void };

beforeAll(async () => {
  tracing = startTracing();
  const grpc = tracing.grpc;
  const { addFaultlineService, answerUnknownMethods, createServerInterceptor } = await import('../src/index.js');
  const { createReporter } = await import('@faultline/core');
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new grpc.Server({ interceptors: [createServerInterceptor({ reporter })] });
  addFaultlineService(server, Registered, impl, { reporter });
  addFaultlineService(server, Small, impl, { reporter, maxReceiveMessageLength: 64 });
  // A plain service: only the interceptor stands between its handler and the client.
  server.addService(Plain, {
    unary: (c: Call, callback: Callback) => {
      if (how(c) === 'zero-throw') throw Object.assign(new Error('code zero hunter2'), { code: 0, details: 'hunter2' });
      if (how(c) === 'plain') return callback(secret());
      callback(Object.assign(new Error('code zero hunter2'), { code: 0, details: 'hunter2' }));
    },
  } as unknown as UntypedServiceImplementation);
  answerUnknownMethods(server, { reporter });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const make = (def: object, name: string) =>
    new (grpc.makeGenericClientConstructor(def as never, name))(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    ) as unknown as GenericClient & { close(): void };
  client = make(Service, 'T');
  small = make(Small, 'S');
  plain = make(Plain, 'P');
});
afterAll(async () => {
  for (const c of [client, small, plain]) c?.close();
  server?.forceShutdown();
  await tracing.shutdown();
});

/**
 * What the call's server span holds: `id` the answer's id; `none` no server span at all (grpc-js
 * answers an unknown path before any registered handler, which is what instrumentation-grpc wraps;
 * instrumentation-grpc never ends its span when a plain handler throws); `ended` a span without the
 * id (a plain service's callback: instrumentation-grpc ends the span in its patched callback before
 * grpc-js sends the status the interceptor sanitizes, so nothing can be set on it any more).
 */
type SpanHolds = 'id' | 'none' | 'ended';

/** Each failure style: the client, method kind, `x-how`, the request, the status, the span. */
const CASES: readonly (readonly [string, () => GenericClient, string, string, unknown, number, SpanHolds])[] = [
  ['unary throw', () => client, 'unary', 'throw', {}, 13, 'id'],
  ['unary callback(err)', () => client, 'unary', 'callback', {}, 13, 'id'],
  ['unary thrown string', () => client, 'unary', 'string', {}, 13, 'id'],
  ['unary call.end() without an answer', () => client, 'unary', 'end', {}, 13, 'id'],
  ['server-stream async rejection', () => client, 'serverStream', 'async', {}, 13, 'id'],
  ["server-stream emit('error') after writes", () => client, 'serverStream', 'emit', {}, 13, 'id'],
  ['client-stream callback(err) on data', () => client, 'clientStream', '', {}, 13, 'id'],
  ["bidi emit('error') after a write", () => client, 'bidi', '', {}, 13, 'id'],
  ['unknown method', () => client, 'missing', '', {}, 12, 'none'],
  ['oversized message refused by the guard', () => small, 'unary', '', { pad: 'x'.repeat(500) }, 8, 'id'],
  ['code: 0 callback from a plain service (interceptor)', () => plain, 'unary', '', {}, 13, 'ended'],
  ['code: 0 thrown from a plain service (interceptor)', () => plain, 'unary', 'zero-throw', {}, 13, 'none'],
  ['plain error from a plain service (interceptor)', () => plain, 'unary', 'plain', {}, 13, 'ended'],
];

function callOnce(c: GenericClient, kind: string, style: string, input: unknown): Promise<ServiceError> {
  const metadata = new tracing.grpc.Metadata();
  metadata.set('x-how', style);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('hung')), 4000);
    const done = (error: ServiceError | null) => {
      clearTimeout(timer);
      error ? resolve(error) : reject(new Error('call succeeded'));
    };
    // The unknown method is called as a unary call on its own path.
    if (kind === 'missing')
      (c.missing as (...a: unknown[]) => unknown)(input, metadata, { deadline: Date.now() + 3000 }, done);
    else startCall(c, kind, input, metadata, { deadline: Date.now() + 3000 }, done);
  });
}

describe('grpc id triangle: trailer == RequestInfo == log record == server span', () => {
  it.each(CASES)('%s', { timeout: 10_000 }, async (_name, which, kind, style, input, code, span) => {
    const { traceId, result } = inFreshTrace(() => callOnce(which(), kind, style, input));
    const error = await result;
    expect(error.code).toBe(code);
    expect(error.details).not.toMatch(/hunter2/);
    const id = String(error.metadata.get('x-request-id')[0]);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const details = error.metadata.get('grpc-status-details-bin')[0];
    expect(decodeStatusDetails(details as Buffer)?.requestId).toBe(id);
    await new Promise((r) => setTimeout(r, 30)); // the reporter writes asynchronously
    const records = log.records.filter((r) => r.request_id === id);
    expect(records.length).toBe(1);
    const spans = await tracing.spansOf(traceId, (s) => s.some((x) => x.kind === SpanKind.SERVER), 300);
    const server = spans.filter((s) => s.kind === SpanKind.SERVER);
    if (span === 'none') {
      expect(server).toEqual([]);
    } else {
      expect(server.length).toBe(1);
      expect(server[0]?.attributes[SPAN_ATTRIBUTES.errorId]).toBe(span === 'id' ? id : undefined);
    }
  });
});
