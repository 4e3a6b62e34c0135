import { GrpcStatus, isUuid, TAXONOMY } from '@faultline/core';
import { recordFor } from '@faultline/testkit';
import {
  type ClientDuplexStream,
  type ClientReadableStream,
  Metadata,
  type ServiceError,
  status as Status,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAILS_KEY, REQUEST_ID_KEY } from '../src/index.js';
import { decodeStatusDetails } from '../src/rich-status.js';
import { callUnary, type GenericClient, startServer } from './fixtures.js';

const LEAKS = ['hunter2', 'orders_ref_key', 'db.internal', '10.0.0.5', '/srv/app', 'secret', 'SELECT', 'E11000'];

type Started = Awaited<ReturnType<typeof startServer>>;
let server: Started;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

/** Asserts a sanitized status: code, generic details, our trailers and a matching rich status. */
function expectSanitized(error: ServiceError | undefined, code: number, publicCode: string) {
  expect(error).toBeDefined();
  if (error === undefined) return undefined;
  expect(error.code).toBe(code);
  const category = Object.values(TAXONOMY).find((spec) => spec.grpc === code || spec.code === publicCode);
  expect(category).toBeDefined();
  const requestId = error.metadata.get(REQUEST_ID_KEY)[0];
  expect(isUuid(requestId)).toBe(true);
  const bin = error.metadata.get(DETAILS_KEY)[0];
  expect(bin).toBeInstanceOf(Buffer);
  const decoded = decodeStatusDetails(bin as Buffer);
  expect(decoded).toMatchObject({
    code,
    message: error.details,
    reason: publicCode,
    domain: 'orders.example.com',
    requestId,
  });
  // Only our trailers, plus the HTTP/2 headers grpc-js itself puts in a trailers-only response.
  const foreign = Object.keys(error.metadata.getMap()).filter(
    (k) => ![DETAILS_KEY, REQUEST_ID_KEY, 'content-type', 'date'].includes(k),
  );
  expect(foreign).toEqual([]);
  const everything = `${error.message} ${error.details} ${JSON.stringify(error.metadata.getMap())} ${JSON.stringify(decoded)}`;
  for (const leak of LEAKS) expect(everything).not.toContain(leak);
  let trailerBytes = 0;
  for (const [key, value] of Object.entries(error.metadata.getMap())) trailerBytes += key.length + String(value).length;
  expect(trailerBytes).toBeLessThan(8192);
  return decoded;
}

describe('unary handlers', () => {
  it.each([
    ['pg', 'callback', GrpcStatus.ALREADY_EXISTS, 'CONFLICT'],
    ['pg', 'throw', GrpcStatus.ALREADY_EXISTS, 'CONFLICT'],
    ['mongo', 'callback', GrpcStatus.ALREADY_EXISTS, 'CONFLICT'],
    ['foreign-code', 'callback', GrpcStatus.INTERNAL, 'INTERNAL'],
    ['refused', 'callback', GrpcStatus.UNAVAILABLE, 'UNAVAILABLE'],
    ['catalog', 'callback', GrpcStatus.NOT_FOUND, 'GRPC_ORDER_NOT_FOUND'],
    ['string', 'throw', GrpcStatus.INTERNAL, 'INTERNAL'],
    ['plain', 'callback', GrpcStatus.INTERNAL, 'INTERNAL'],
    // A downstream ServiceError: its code is read as the caller would, its text and metadata dropped.
    ['downstream', 'callback', GrpcStatus.NOT_FOUND, 'NOT_FOUND'],
  ])('%s via %s -> %i %s', async (kind, how, code, publicCode) => {
    const { error } = await callUnary(server.client, 'get', { kind, how });
    expectSanitized(error, code, publicCode);
  });

  it.each(['destroy-empty', 'destroy-empty-later'])(
    'ends a unary call whose handler calls destroy() with nothing (%s) as INTERNAL, logged',
    async (how) => {
      const { error } = await callUnary(server.client, 'get', { kind: 'pg', how });
      const decoded = expectSanitized(error, GrpcStatus.INTERNAL, 'INTERNAL');
      await server.reporter.flush();
      // The first such call is logged in full; a repeat within the window is compacted under its id.
      expect(recordFor(server.records, String(decoded?.requestId))).toMatchObject({ code: 'INTERNAL' });
      expect(server.records.some((r) => r.error_type === 'DestroyedWithoutStatus')).toBe(true);
    },
  );

  it('ends a unary call answered with callback(null) and no message as INTERNAL, logged', async () => {
    const { error } = await callUnary(server.client, 'get', { kind: 'pg', how: 'answer-nothing' });
    const decoded = expectSanitized(error, GrpcStatus.INTERNAL, 'INTERNAL');
    await server.reporter.flush();
    expect(recordFor(server.records, String(decoded?.requestId))).toMatchObject({ code: 'INTERNAL' });
    expect(server.records.some((r) => r.error_type === 'AnsweredWithoutMessage')).toBe(true);
  });

  it('keeps the first answer of a unary call: a later callback(err) and a throw are recorded once, not answered', async () => {
    const before = server.records.length;
    const { error, value } = await callUnary(server.client, 'get', { kind: 'pg', how: 'answer-then-fail' });
    expect(error).toBeUndefined();
    expect(value).toEqual({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.reporter.flush();
    expect(server.records.length).toBe(before + 1);
    expect(server.records.at(-1)).toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps the first answer of a unary call: a failure, then a message that is never sent', async () => {
    const { error, value } = await callUnary(server.client, 'get', { kind: 'pg', how: 'fail-then-answer' });
    expectSanitized(error, GrpcStatus.ALREADY_EXISTS, 'CONFLICT');
    expect(value).toBeUndefined();
  });

  it('catches an async handler rejection (no unhandled rejection, no crash)', async () => {
    const { error } = await callUnary(server.client, 'getAsync', { kind: 'pg' });
    expectSanitized(error, GrpcStatus.ALREADY_EXISTS, 'CONFLICT');
  });

  it('sends BadRequest field violations and RetryInfo', async () => {
    const bad = expectSanitized(
      (await callUnary(server.client, 'get', { kind: 'validation' })).error,
      GrpcStatus.INVALID_ARGUMENT,
      'VALIDATION_FAILED',
    );
    expect(bad?.fieldViolations).toEqual([
      { field: 'items[0].qty', description: 'Is below the minimum.' },
      { field: 'email', description: 'Has an invalid format.' },
    ]);
    const rate = expectSanitized(
      (await callUnary(server.client, 'get', { kind: 'rate' })).error,
      GrpcStatus.RESOURCE_EXHAUSTED,
      'RATE_LIMITED',
    );
    expect(rate?.retryDelaySeconds).toBe(7);
  });

  it('trusts an incoming x-request-id only if it is a UUID', async () => {
    const id = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
    const metadata = new Metadata();
    metadata.set(REQUEST_ID_KEY, id);
    const { error } = await callUnary(server.client, 'get', { kind: 'pg' }, metadata);
    expect(error?.metadata.get(REQUEST_ID_KEY)[0]).toBe(id);
    const hostile = new Metadata();
    hostile.set(REQUEST_ID_KEY, 'not-a-uuid-hunter2');
    const second = await callUnary(server.client, 'get', { kind: 'pg' }, hostile);
    expect(second.error?.metadata.get(REQUEST_ID_KEY)[0]).not.toBe('not-a-uuid-hunter2');
  });

  it('still answers successful calls', async () => {
    expect((await callUnary(server.client, 'get', { kind: 'ok' })).value).toEqual({ ok: true });
  });

  it('logs the original error under the id the client got', async () => {
    const { error } = await callUnary(server.client, 'get', { kind: 'refused' });
    await server.reporter.flush();
    const id = error?.metadata.get(REQUEST_ID_KEY)[0];
    const record = recordFor(server.records, id);
    expect(record).toMatchObject({ protocol: 'grpc', method: '/demo.Orders/Get', code: 'UNAVAILABLE' });
    // An earlier identical failure may hold the full record; the line names it.
    const full = server.records.find((r) => r.request_id === (record?.first_request_id ?? id));
    expect(JSON.stringify(full)).toContain('ECONNREFUSED');
    // The logs keep the detail; only recognised secrets are redacted there.
    expect(JSON.stringify(server.records)).not.toContain('password=hunter2');
  });
});

function readStream(
  stream: ClientReadableStream<unknown>,
): Promise<{ messages: unknown[]; error: ServiceError | undefined }> {
  return new Promise((resolve) => {
    const messages: unknown[] = [];
    stream.on('data', (m: unknown) => messages.push(m));
    stream.on('error', (error: ServiceError) => resolve({ messages, error }));
    stream.on('end', () => resolve({ messages, error: undefined }));
  });
}

describe('server streaming', () => {
  it.each(['throw', 'emit', 'destroy', 'async'])(
    'ends with a sanitized status after %s, keeping sent messages',
    async (how) => {
      const stream = server.client.list?.call(server.client, { kind: 'pg', how }, { deadline: Date.now() + 5000 });
      const { messages, error } = await readStream(stream as ClientReadableStream<unknown>);
      expect(messages).toEqual([{ n: 1 }, { n: 2 }]);
      expectSanitized(error, GrpcStatus.ALREADY_EXISTS, 'CONFLICT');
    },
  );
});

describe('client and bidi streaming', () => {
  it('sanitizes callback(err) of a client-streaming handler', async () => {
    const error = await new Promise<ServiceError | undefined>((resolve) => {
      const call = server.client.upload?.call(
        server.client,
        { deadline: Date.now() + 5000 },
        (e: ServiceError | null) => resolve(e ?? undefined),
      ) as { write(value: unknown): void; end(): void };
      call.write({ kind: 'mongo' });
      call.end();
    });
    expectSanitized(error, GrpcStatus.ALREADY_EXISTS, 'CONFLICT');
  });

  it('sanitizes emit(error) on a bidi stream', async () => {
    const call = server.client.chat?.call(server.client, { deadline: Date.now() + 5000 }) as ClientDuplexStream<
      unknown,
      unknown
    >;
    const result = readStream(call);
    call.write({ kind: 'refused' });
    const { messages, error } = await result;
    expect(messages).toEqual([{ echo: 'refused' }]);
    expectSanitized(error, GrpcStatus.UNAVAILABLE, 'UNAVAILABLE');
  });
});

describe('library-generated statuses (server interceptor)', () => {
  it('sanitizes UNIMPLEMENTED for a method without a handler', async () => {
    const { error } = await callUnary(server.client, 'missing', { kind: 'x' });
    expectSanitized(error, GrpcStatus.UNIMPLEMENTED, 'NOT_IMPLEMENTED');
    expect(error?.details).toBe(TAXONOMY.not_implemented.message);
  });

  it('sanitizes a deserialization failure as INVALID_ARGUMENT', async () => {
    const { makeGenericClientConstructor, credentials } = await import('@grpc/grpc-js');
    const Raw = makeGenericClientConstructor(
      {
        get: {
          path: '/demo.Orders/Get',
          requestStream: false,
          responseStream: false,
          requestSerialize: (v: Buffer) => v,
          requestDeserialize: (b: Buffer) => b,
          responseSerialize: (v: Buffer) => v,
          responseDeserialize: (b: Buffer) => b,
        },
      },
      'Raw',
    );
    const raw = new Raw(`127.0.0.1:${server.port}`, credentials.createInsecure()) as unknown as GenericClient;
    const { error } = await callUnary(raw, 'get', Buffer.from('{not json hunter2'));
    raw.close();
    expectSanitized(error, GrpcStatus.INVALID_ARGUMENT, 'VALIDATION_FAILED');
  });

  it('sanitizes RESOURCE_EXHAUSTED for a message over the server limit', async () => {
    const small = await startServer({ maxReceive: 64 });
    try {
      const { error } = await callUnary(small.client, 'get', { kind: 'x'.repeat(500) });
      expectSanitized(error, GrpcStatus.RESOURCE_EXHAUSTED, 'PAYLOAD_TOO_LARGE');
      expect(error?.details).not.toMatch(/\d{3}/);
    } finally {
      await small.stop();
    }
  });

  it('keeps the status code grpc-js gave OK calls untouched', async () => {
    const { error } = await callUnary(server.client, 'get', { kind: 'ok' });
    expect(error).toBeUndefined();
    expect(Status.OK).toBe(0);
  });
});
