/**
 * Request metadata that tries to choose, or smuggle something into, the id a client is answered
 * with: a UUID in upper case, of another version, sent twice, padded, with a payload; lookalike
 * keys (`x-request-id-bin`, `x-correlation-id`, `request-id`); many keys, and more than Node's
 * HTTP/2 limit (refused before any handler runs: the one answer without an id here).
 * The answer carries exactly one `x-request-id`: the caller's own only when it is a single UUID v4
 * (lower-cased), else a new one, with the refused value in the record (escaped); the rich
 * status's RequestInfo always repeats the trailer. Every method kind's failure path reads the id
 * the same way; unary and bidi stand for them. Real grpc-js server and client on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { createReporter, GrpcStatus } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, REQUEST_ID_KEY } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';
import { type GenericClient, startCall } from './start-call.js';

const SECRET = 'hunter2-Zq9';
const V4 = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const V7 = '018f3c2a-9e8b-7d4c-8e9f-0a1b2c3d4e5f';
const Service = { unary: method('/ids.I/Unary', false, false), bidi: method('/ids.I/Bidi', true, true) };

const fail = () => {
  throw new Error(`SELECT * FROM users_private ${SECRET}`);
};

const log = memoryLog();
let server: Server;
let client: GenericClient & { close(): void };

beforeAll(async () => {
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  addFaultlineService(server, Service, { unary: fail, bidi: fail } as unknown as UntypedServiceImplementation, {
    reporter,
  });
  const port = await bindLoopback(server);
  client = loopbackClient(Service, 'I', port);
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

/** One failing call of `kind` with `metadata`; resolves with its error. */
function call(kind: 'unary' | 'bidi', metadata: Metadata): Promise<ServiceError | undefined> {
  return new Promise((resolve) =>
    startCall(client, kind, { n: 1 }, metadata, { deadline: Date.now() + 5000 }, (error) =>
      resolve(error ?? undefined),
    ),
  );
}

/** The record of `id`, once written. */
async function recordOf(id: string): Promise<Record<string, unknown> | undefined> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return log.records.find((record) => record.request_id === id);
}

/** Metadata with each `[key, value]` added in order. */
function metadataOf(entries: readonly (readonly [string, string | Buffer])[]): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of entries) metadata.add(key, value);
  return metadata;
}

/** Incoming ids that must be replaced, and what must never come back. */
const REPLACED: readonly (readonly [string, readonly (readonly [string, string | Buffer])[], string[]])[] = [
  ['a UUID v7 (only v4 is kept by default)', [[REQUEST_ID_KEY, V7]], [V7]],
  [
    'two valid UUIDs',
    [
      [REQUEST_ID_KEY, V4],
      [REQUEST_ID_KEY, randomUUID()],
    ],
    [V4],
  ],
  ['a UUID with a payload after it', [[REQUEST_ID_KEY, `${V4};x-debug=${SECRET}`]], [V4, SECRET]],
  ['a UUID padded with spaces', [[REQUEST_ID_KEY, ` ${V4} `]], [V4]],
  [
    'a UUID with the version and variant nibbles wrong',
    [[REQUEST_ID_KEY, '3f1c2a9e-8b7d-0c6e-cf0a-1b2c3d4e5f60']],
    ['3f1c2a9e'],
  ],
  ['an empty value', [[REQUEST_ID_KEY, '']], []],
  ['7 KB of text', [[REQUEST_ID_KEY, `${SECRET}${'z'.repeat(7000)}`]], [SECRET, 'zzzzzzzz']],
  ['x-request-id-bin holding a UUID', [['x-request-id-bin', Buffer.from(V4)]], [V4]],
  [
    'lookalike keys',
    [
      ['x-correlation-id', V4],
      ['request-id', V4],
      ['x-request-ids', V4],
    ],
    [V4],
  ],
];

describe.each(['unary', 'bidi'] as const)('incoming ids on %s', (kind) => {
  it.each(REPLACED)('%s: replaced by a new id, one in the trailers', async (_label, entries, forbidden) => {
    const error = await call(kind, metadataOf(entries));
    const id = expectSanitized(error, 'internal', [SECRET, ...forbidden]);
    expect(await recordOf(id)).toBeDefined();
  });

  it('a UUID v4 in upper case: kept, lower-cased, in trailer, rich status and record', async () => {
    const error = await call(kind, metadataOf([[REQUEST_ID_KEY, V4.toUpperCase()]]));
    expect(expectSanitized(error, 'internal', [SECRET])).toBe(V4);
    expect(await recordOf(V4)).toMatchObject({ request_id: V4 });
    log.records.length = 0;
  });

  it('a refused value is in the record only escaped and cut short', async () => {
    const hostile = `"<script>${SECRET}\\${'y'.repeat(200)}`;
    const error = await call(kind, metadataOf([[REQUEST_ID_KEY, hostile]]));
    const id = expectSanitized(error, 'internal', [SECRET, '<script>']);
    const rejected = String((await recordOf(id))?.rejected_request_id);
    expect(rejected.startsWith('\\x22<script>')).toBe(true);
    expect(rejected).not.toContain('"');
    expect(rejected.length).toBeLessThan(120);
  });

  it('100 custom metadata keys: still one id, none of them echoed', async () => {
    const entries = Array.from({ length: 100 }, (_, i) => [`x-k${i}`, `${SECRET}${'v'.repeat(90)}`] as const);
    expectSanitized(await call(kind, metadataOf([...entries, [REQUEST_ID_KEY, V4]])), 'internal', [SECRET]);
  });

  it("200 keys: refused by Node's HTTP/2 limits before any handler (no id), nothing echoed; the server goes on", async () => {
    const entries = Array.from({ length: 200 }, (_, i) => [`x-k${i}`, SECRET] as const);
    const error = await call(kind, metadataOf(entries));
    expect(error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error?.metadata.get(REQUEST_ID_KEY)).toEqual([]);
    expect(`${error?.details} ${JSON.stringify(error?.metadata.toJSON())}`).not.toContain(SECRET);
    expectSanitized(await call(kind, new Metadata()), 'internal', [SECRET]);
  });
});
