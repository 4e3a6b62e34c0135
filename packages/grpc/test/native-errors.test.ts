/**
 * Node's own errors (testkit's `NATIVE_VALUES`) and popular libraries' (`LIBRARY_VALUES`) through
 * every gRPC method kind and failure style
 * (unary callback, sync throw, async rejection, destroy; server-stream emit and destroy, after a
 * write too; client-stream callback in 'data' and sync throw; bidi emit/destroy after a write and
 * a throw in 'data'). Each status: the category's gRPC code with its generic details, one UUID v4
 * id equal to the rich status's, nothing of the path, host, address, SQL, argv or library text;
 * the record under the id keeps the code and syscall, redacted; the server keeps serving.
 */
import { createReporter, TAXONOMY } from '@faultline/core';
import { decodeStatusDetails } from '@faultline/core/grpc';
import {
  crashWatch,
  jsonKindsService,
  memoryLog,
  type NativeValue,
  nativeLeaks,
  nativeRecordProblems,
  prepareNativeValues,
  REAL_WORLD_CORPORA,
  REAL_WORLD_VALUES,
  recordFor,
  UUID_V4,
  until,
} from '@faultline/testkit';
import { type Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addFaultlineService, DETAILS_KEY, REQUEST_ID_KEY } from '../src/index.js';
import { type FailingCall, failIn } from './failure-styles.js';
import { bindLoopback, loopbackClient } from './fixtures.js';
import { visibleText } from './sanitized.js';
import { callWith, type GenericClient } from './start-call.js';

const Service = jsonKindsService('native.T');
const VALUES = REAL_WORLD_VALUES;
const STYLES: Record<string, readonly string[]> = {
  unary: ['callback', 'sync', 'async', 'destroy'],
  serverStream: ['emit', 'destroy', 'throw-after-write', 'emit-after-write'],
  clientStream: ['callback-in-data', 'sync'],
  bidi: ['emit-after-write', 'throw-in-data'],
};

type Callback = (error: unknown, value?: unknown) => void;

function handle(call: FailingCall & { metadata: Metadata }, callback?: Callback): unknown {
  const [name = '', style = ''] = ['x-native', 'x-style'].map((key) => String(call.metadata.get(key)[0]));
  if (name === 'ok') return callback?.(null, { ok: true });
  return failIn(call, style, () => VALUES[name]?.make(), callback);
}

const log = memoryLog();
const watch = crashWatch();
let server: Server;
let client: GenericClient & { close(): void };

beforeAll(async () => {
  watch.start();
  await prepareNativeValues();
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  const handlers = Object.fromEntries(Object.keys(Service).map((kind) => [kind, handle]));
  addFaultlineService(server, Service, handlers as UntypedServiceImplementation, { reporter });
  client = loopbackClient(Service, 'T', await bindLoopback(server));
});
afterAll(() => {
  watch.stop();
  client.close();
  server.forceShutdown();
});

function call(kind: string, name: string, style: string): Promise<ServiceError | null> {
  return callWith(client, kind, { 'x-native': name, 'x-style': style }, 10_000);
}

it.each(REAL_WORLD_CORPORA)(
  '%s in every gRPC kind and style: code, generic details, one id, no leak, a full record',
  async (_t, values: Readonly<Record<string, NativeValue>>, forbidden: readonly string[]) => {
    const wrong: string[] = [];
    for (const [name, native] of Object.entries(values)) {
      const spec = TAXONOMY[native.category as keyof typeof TAXONOMY];
      for (const [kind, styles] of Object.entries(STYLES)) {
        for (const style of styles) {
          const error = await call(kind, name, style);
          if (error === null) {
            wrong.push(`${name} / ${kind} ${style}: succeeded`);
            continue;
          }
          const id = String(error.metadata.get(REQUEST_ID_KEY)[0]);
          const blob = error.metadata.get(DETAILS_KEY)[0];
          await until(() => recordFor(log.records, id) !== undefined).catch(() => undefined);
          const problems = [
            error.code === spec.grpc ? '' : `code ${error.code}`,
            error.details === spec.message ? '' : `details ${error.details.slice(0, 80)}`,
            UUID_V4.test(id) ? '' : 'id',
            Buffer.isBuffer(blob) && decodeStatusDetails(blob)?.requestId === id ? '' : 'rich status id',
            ...nativeLeaks(visibleText(error), forbidden).map((s) => `leaks ${s}`),
            ...nativeRecordProblems(log.records, id, native),
          ].filter((p) => p !== '');
          if (problems.length > 0) wrong.push(`${name} / ${kind} ${style}: ${problems.join(', ')}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await call('unary', 'ok', 'callback')).toBeNull();
    expect(watch.crashes).toEqual([]);
  },
);
