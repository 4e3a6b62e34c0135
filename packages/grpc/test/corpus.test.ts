/**
 * The adversarial corpus through a real grpc-js server and client: every method kind x every
 * failure style (sync throw, async rejection, callback(err), emit('error') before, inside and
 * after 'data', destroy(v), a throw inside the application's own 'data' listener). Each call must
 * end promptly (a 5 s deadline catches hangs) with the expected code, the generic details,
 * `x-request-id` (UUID v4, logged) and a decodable `grpc-status-details-bin`, with no forbidden
 * substring anywhere the client can see.
 */
import { type Category, createReporter, GrpcStatus, TAXONOMY } from '@faultline/core';
import { decodeStatusDetails } from '@faultline/core/grpc';
import { CORPUS, type CorpusCase, leaksIn, memoryLog } from '@faultline/testkit';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, createServerInterceptor } from '../src/index.js';
import { type FailingCall, failIn } from './failure-styles.js';
import { method } from './fixtures.js';
import { startCall } from './start-call.js';

const Service = {
  unary: method('/corpus.C/Unary', false, false),
  serverStream: method('/corpus.C/ServerStream', false, true),
  clientStream: method('/corpus.C/ClientStream', true, false),
  bidi: method('/corpus.C/Bidi', true, true),
};

/** Failure styles per method kind. */
const STYLES = {
  unary: ['sync', 'async', 'callback', 'emit', 'emit-later', 'destroy', 'destroy-later'],
  serverStream: ['sync', 'async', 'emit', 'emit-later', 'emit-after-write', 'destroy'],
  clientStream: ['sync', 'async', 'callback', 'emit', 'emit-in-data', 'destroy-in-data', 'throw-in-data'],
  bidi: ['sync', 'async', 'emit-in-data', 'emit-later', 'destroy-in-data', 'throw-in-data', 'emit-after-write'],
} as const;
type Kind = keyof typeof STYLES;

function caseOf(call: { metadata: Metadata }): { value: () => unknown; style: string } {
  const index = Number(call.metadata.get('x-case')[0]);
  const style = String(call.metadata.get('x-style')[0]);
  return { value: () => (CORPUS[index] as CorpusCase).make(), style };
}

type AnyCall = FailingCall & { metadata: Metadata };

/** One handler body for every kind: fails the call the way `style` says. */
function fail(call: AnyCall, callback?: (error: unknown) => void): unknown {
  const { value, style } = caseOf(call);
  return failIn(call, style, value, callback);
}

const log = memoryLog();
const ids = new Set<string>();
let server: Server;
let client: Record<string, (...args: unknown[]) => unknown> & { close(): void };

beforeAll(async () => {
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server({ interceptors: [createServerInterceptor({ reporter })], 'grpc.max_receive_message_length': -1 });
  addFaultlineService(
    server,
    Service,
    {
      unary: (call: AnyCall, callback: (error: unknown) => void) => fail(call, callback),
      serverStream: (call: AnyCall) => fail(call),
      clientStream: (call: AnyCall, callback: (error: unknown) => void) => fail(call, callback),
      bidi: (call: AnyCall) => fail(call),
    } as unknown as UntypedServiceImplementation,
    { reporter },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  const Client = makeGenericClientConstructor(Service, 'C');
  client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as typeof client;
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

/** Runs one call of `kind` and resolves with the error it ended with. */
function call(kind: Kind, index: number, style: string, input: unknown): Promise<ServiceError> {
  const metadata = new Metadata();
  metadata.set('x-case', String(index));
  metadata.set('x-style', style);
  const options = { deadline: Date.now() + 5000 };
  return new Promise((resolve, reject) => {
    const done = (error: ServiceError | null) => (error ? resolve(error) : reject(new Error('call succeeded')));
    startCall(client, kind, input, metadata, options, done);
  });
}

/**
 * The category a call must end with. On a request stream, a schema error raised before the
 * handler read any message cannot concern the client's input: internal (validation ownership).
 * The client never cancels here: a cancellation is the server's own (`liveHttpCategory`).
 */
function expectedCategory(testCase: CorpusCase, kind: Kind, style: string): Category {
  const requestStream = kind === 'clientStream' || kind === 'bidi';
  if (testCase.input !== undefined && requestStream && !style.endsWith('-in-data')) return 'internal';
  return (testCase.liveHttpCategory ?? testCase.category) as Category;
}

function check(error: ServiceError, testCase: CorpusCase, category: Category): void {
  const spec = TAXONOMY[category];
  const allowed: number[] = category === 'conflict' ? [spec.grpc, GrpcStatus.ABORTED] : [spec.grpc];
  expect(allowed).toContain(error.code);
  expect(error.details).toBe(spec.message);
  const id = String(error.metadata.get('x-request-id')[0]);
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const blob = error.metadata.get('grpc-status-details-bin')[0] as Buffer;
  const decoded = decodeStatusDetails(blob);
  expect(decoded?.code).toBe(error.code);
  expect(decoded?.reason).toBe(spec.code);
  expect(decoded?.requestId).toBe(id);
  const visible = [
    error.details,
    error.message,
    JSON.stringify(error.metadata.getMap()),
    blob.toString('latin1'),
    JSON.stringify(decoded),
  ].join('\n');
  expect(leaksIn(visible, testCase)).toEqual([]);
  ids.add(id);
}

describe.each(Object.keys(STYLES) as Kind[])('corpus over gRPC %s', (kind) => {
  it.each(CORPUS.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
    const testCase = CORPUS[index] as CorpusCase;
    for (const style of STYLES[kind]) {
      const error = await call(kind, index, style, testCase.input ?? {});
      try {
        check(error, testCase, expectedCategory(testCase, kind, style));
      } catch (failure) {
        throw new Error(`${kind}/${style}: ${(failure as Error).message}`);
      }
    }
  });
});

describe('after the corpus', () => {
  it('logged every answered id and the server still answers', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const logged = new Set(log.records.map((r) => r.request_id));
    expect([...ids].filter((id) => !logged.has(id))).toEqual([]);
    const error = await call('unary', 0, 'sync', {});
    expect(error.code).toBe(GrpcStatus.ALREADY_EXISTS);
  });

  it.each([
    ['an unknown method', '/corpus.C/Nope<script>'],
    ['an unknown service', '/secret.internal.Admin/DropAll'],
  ])('answers %s as a fault: generic details, id, rich status, no path echoed', async (_label, path) => {
    const Unknown = makeGenericClientConstructor({ nope: method(path, false, false) }, 'U');
    const port = (client as unknown as { getChannel(): { getTarget(): string } })
      .getChannel()
      .getTarget()
      .split(':')
      .pop();
    const unknown = new Unknown(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as typeof client;
    const error = await new Promise<ServiceError>((resolve, reject) =>
      (unknown.nope as (...a: unknown[]) => unknown)(
        {},
        new Metadata(),
        { deadline: Date.now() + 5000 },
        (e: ServiceError | null) => (e ? resolve(e) : reject(new Error('succeeded'))),
      ),
    );
    unknown.close();
    expect(error.code).toBe(GrpcStatus.UNIMPLEMENTED);
    expect(error.details).toBe(TAXONOMY.not_implemented.message);
    const id = String(error.metadata.get('x-request-id')[0]);
    expect(decodeStatusDetails(error.metadata.get('grpc-status-details-bin')[0] as Buffer)).toMatchObject({
      code: GrpcStatus.UNIMPLEMENTED,
      reason: 'NOT_IMPLEMENTED',
      requestId: id,
    });
    expect(JSON.stringify(error.metadata.getMap()) + error.details).not.toContain(path.slice(1, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log.records.some((r) => r.request_id === id)).toBe(true);
  });
});
