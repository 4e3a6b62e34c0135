/**
 * A response over the server's `grpc.max_send_message_length`. grpc-js holds every serialized
 * message against it in its base call, past every interceptor, and answers a larger one with its
 * own RESOURCE_EXHAUSTED ("Sent message larger than max (N vs. M)"): no `x-request-id`, no rich
 * status, no record. `addFaultlineService` serializes responses itself and reads the limit from
 * the server, so such a response ends the call with Faultline's INTERNAL (the server's doing),
 * its id and a record naming `ResponseTooLarge`, on every method kind; a message at the limit is
 * sent, as grpc-js sends it; a stream keeps the messages written before. Real grpc-js server and
 * client on 127.0.0.1.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import {
  type ClientReadableStream,
  Metadata,
  Server,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inFlightCount } from '../src/in-flight.js';
import { addFaultlineService } from '../src/index.js';
import { sendLimitOf } from '../src/response-serialize.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';

const LIMIT = 1000;
const SECRET = 'hunter2-Lm4';

const Service = {
  unary: method('/limit.L/Unary', false, false),
  clientStream: method('/limit.L/ClientStream', true, false),
  serverStream: method('/limit.L/ServerStream', false, true),
  bidi: method('/limit.L/Bidi', true, true),
};
type Kind = keyof typeof Service;

/** A response whose JSON is `size` bytes long, the secret in it. */
function responseOf(size: number): { text: string } {
  const text = `${SECRET} ${'x'.repeat(size)}`.slice(0, size - '{"text":""}'.length);
  return { text };
}

type Req = { size: number };
type Callback = (error: unknown, value?: unknown) => void;
type Streaming = {
  request?: Req;
  on(event: 'data', fn: (req: Req) => void): void;
  write(v: unknown, cb?: (e: unknown) => void): boolean;
  end(): void;
};

const implementation = {
  unary: (call: { request: Req }, callback: Callback) => callback(null, responseOf(call.request.size)),
  clientStream: (call: Streaming, callback: Callback) => call.on('data', (req) => callback(null, responseOf(req.size))),
  serverStream(call: Streaming) {
    call.write({ n: 1 });
    call.write(responseOf((call.request as Req).size));
    call.write({ n: 2 });
    call.end();
  },
  bidi: (call: Streaming) =>
    call.on('data', (req) => {
      call.write({ n: 1 });
      call.write(responseOf(req.size));
      call.write({ n: 2 });
      call.end();
    }),
} as unknown as UntypedServiceImplementation;

const log = memoryLog();
const servers: Server[] = [];
const clients: { close(): void }[] = [];

/** A server with `options`, the service added with Faultline; resolves with its client. */
async function serve(options: Record<string, unknown>) {
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  const server = new Server(options);
  addFaultlineService(server, Service, implementation, { reporter });
  const client = loopbackClient<Record<Kind, (...args: unknown[]) => unknown> & { close(): void }>(
    Service,
    'L',
    await bindLoopback(server),
  );
  servers.push(server);
  clients.push(client);
  return { server, client };
}

let limited: Awaited<ReturnType<typeof serve>>;
let unlimited: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  limited = await serve({ 'grpc.max_send_message_length': LIMIT });
  unlimited = await serve({});
});
afterAll(() => {
  for (const client of clients) client.close();
  for (const server of servers) server.forceShutdown();
});

/** One call of `kind` asking for a response of `size` bytes: the messages, then the error. */
function call(
  client: Record<Kind, (...args: unknown[]) => unknown>,
  kind: Kind,
  size: number,
): Promise<{ messages: unknown[]; error: ServiceError | undefined }> {
  const options = { deadline: Date.now() + 3000 };
  return new Promise((resolve) => {
    const done = (error: ServiceError | null, value?: unknown) =>
      resolve({ messages: value === undefined ? [] : [value], error: error ?? undefined });
    if (kind === 'unary') return void client.unary({ size }, new Metadata(), options, done);
    if (kind === 'clientStream') {
      const stream = client.clientStream(new Metadata(), options, done) as { write(m: unknown): void; end(): void };
      stream.write({ size });
      return stream.end();
    }
    const stream = (
      kind === 'serverStream'
        ? client.serverStream({ size }, new Metadata(), options)
        : client.bidi(new Metadata(), options)
    ) as ClientReadableStream<unknown> & { write?(m: unknown): void; end?(): void };
    const messages: unknown[] = [];
    stream.on('data', (message) => messages.push(message));
    stream.on('error', (error: ServiceError) => resolve({ messages, error }));
    stream.on('status', (status: { code: number }) => status.code === 0 && resolve({ messages, error: undefined }));
    if (kind === 'bidi') {
      stream.write?.({ size });
      stream.end?.();
    }
  });
}

const KINDS = Object.keys(Service) as Kind[];
const STREAMING = new Set<Kind>(['serverStream', 'bidi']);

describe('a response over grpc.max_send_message_length', () => {
  it.each(KINDS)("%s: Faultline's INTERNAL with its id, recorded as ResponseTooLarge", async (kind) => {
    const { messages, error } = await call(limited.client, kind, LIMIT + 1);
    const id = expectSanitized(error, 'internal', [SECRET, 'larger than max', String(LIMIT)]);
    expect(messages).toEqual(STREAMING.has(kind) ? [{ n: 1 }] : []);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const records = log.records.filter((record) => record.request_id === id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ code: 'INTERNAL', method: Service[kind].path });
    expect(JSON.stringify(records[0])).toContain('ResponseTooLarge');
    expect(JSON.stringify(records[0])).not.toContain(SECRET);
    expect(inFlightCount(limited.server)).toBe(0);
  });

  it.each(KINDS)('%s: a message of exactly the limit is sent, as grpc-js sends it', async (kind) => {
    const { messages, error } = await call(limited.client, kind, LIMIT);
    expect(error).toBeUndefined();
    expect(messages).toHaveLength(STREAMING.has(kind) ? 3 : 1);
  });

  it.each(KINDS)('%s: without the option (grpc-js sends any size), a large message is sent', async (kind) => {
    const { error } = await call(unlimited.client, kind, 64 * 1024);
    expect(error).toBeUndefined();
  });
});

describe('sendLimitOf', () => {
  it("reads grpc-js's option as grpc-js compares it, and is Infinity for anything else", () => {
    const of = (options: unknown) => sendLimitOf({ options });
    expect(of({ 'grpc.max_send_message_length': 1000 })).toBe(1000);
    expect(of({ 'grpc.max_send_message_length': 0 })).toBe(0);
    expect(of({ 'grpc.max_send_message_length': -1 })).toBe(Number.POSITIVE_INFINITY);
    expect(of({ 'grpc.max_send_message_length': Number.NaN })).toBe(Number.POSITIVE_INFINITY);
    expect(of({ 'grpc.max_send_message_length': '1000' })).toBe(Number.POSITIVE_INFINITY);
    expect(of({})).toBe(Number.POSITIVE_INFINITY);
    expect(of(undefined)).toBe(Number.POSITIVE_INFINITY);
    const throwing = new Proxy(
      {},
      {
        get() {
          throw new Error(SECRET);
        },
      },
    );
    expect(of(throwing)).toBe(Number.POSITIVE_INFINITY);
    expect(sendLimitOf(throwing)).toBe(Number.POSITIVE_INFINITY);
    expect(sendLimitOf(new Server({ 'grpc.max_send_message_length': 5 }))).toBe(5);
  });
});
