/**
 * Red team (attacker's audit): testkit's extreme hostile values (`EXTREME_VALUES`) and a status
 * whose metadata is hostile, through grpc-js failure styles: unary `callback(err)`, throw and reject; server-stream
 * `emit('error')`, `call.destroy(err)` and a throw after partial writes; bidi errors after partial
 * writes; with a hostile incoming `x-request-id`. Wired as the README shows (`addFaultlineService`,
 * no interceptor). Each call ends within its deadline with a code of the value's category, the
 * generic details, one UUID `x-request-id` (not the client's), no trailers of the value's, nothing
 * of its text; the record under the id exists, bounded and redacted; the server keeps serving.
 * Real grpc-js server and client on 127.0.0.1 port 0.
 */
import { createReporter, TAXONOMY } from '@faultline/core';
import { decodeStatusDetails } from '@faultline/core/grpc';
import {
  crashWatch,
  EXTREME_TEXT,
  EXTREME_VALUES,
  type ExtremeValue,
  extremeLeaks,
  jsonKindsService,
  makeExtreme,
  memoryLog,
  problemsByStyle,
  recordFor,
  recordProblems,
  SECRET,
  UUID_V4,
  until,
} from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFaultlineService, DETAILS_KEY, REQUEST_ID_KEY } from '../src/index.js';
import { type FailingCall, failIn } from './failure-styles.js';
import { bindLoopback, loopbackClient } from './fixtures.js';
import { visibleText } from './sanitized.js';
import { callWith, type GenericClient } from './start-call.js';

/** The extreme values and one of gRPC's own: a status whose metadata forges an id and trailers. */
const VALUES: Readonly<Record<string, ExtremeValue>> = {
  ...EXTREME_VALUES,
  'forged-metadata': {
    make: () => {
      const metadata = new Metadata();
      metadata.set('x-debug', EXTREME_TEXT);
      metadata.set('x-request-id', SECRET);
      metadata.set('x-trace-bin', Buffer.from(`\r\n${EXTREME_TEXT}`));
      return Object.assign(new Error(EXTREME_TEXT), { code: 5, details: EXTREME_TEXT, metadata });
    },
    statuses: [404, 500],
  },
};
const NAMES = Object.keys(VALUES);

const Service = jsonKindsService('redteam.T');
/** Failure styles per method kind (the names of `failIn`, and this suite's own `destroy-after-write`). */
const STYLES: Record<string, readonly string[]> = {
  unary: ['callback', 'sync', 'async', 'destroy'],
  serverStream: ['emit', 'destroy', 'throw-after-write', 'emit-after-write'],
  clientStream: ['callback-in-data', 'sync'],
  bidi: ['emit-after-write', 'destroy-after-write', 'throw-in-data'],
};
/** The trailer keys a client may see. */
const ALLOWED_KEYS = new Set([REQUEST_ID_KEY, DETAILS_KEY, 'content-type', 'date']);

type Callback = (error: unknown, value?: unknown) => void;

/** Any method's handler: answers `ok`, or fails the call with the value and in the style its metadata names. */
function handle(call: FailingCall & { metadata: Metadata }, callback?: Callback): unknown {
  const [name = '', style = ''] = ['x-value', 'x-style'].map((key) => String(call.metadata.get(key)[0]));
  if (name === 'ok') return callback?.(null, { ok: true });
  const make = () => makeExtreme(name, VALUES);
  if (style !== 'destroy-after-write') return failIn(call, style, make, callback);
  call.write?.({ n: 1 });
  return void setImmediate(() => call.destroy(make()));
}

const log = memoryLog();
const watch = crashWatch();
let server: Server;
let client: GenericClient & { close(): void };

beforeAll(async () => {
  watch.start();
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
  const handlers = Object.fromEntries(Object.keys(Service).map((kind) => [kind, handle]));
  addFaultlineService(server, Service, handlers as UntypedServiceImplementation, { reporter });
  client = loopbackClient(Service, 'T', await bindLoopback(server));
});
afterAll(() => {
  watch.stop();
  client.close();
  server.forceShutdown();
});

/** One call of `kind` failing with `name` in `style`, with a hostile incoming id (never echoed). */
function call(kind: string, name: string, style: string): Promise<ServiceError | null> {
  const headers = { 'x-value': name, 'x-style': style, 'x-request-id': `${SECRET}-not-a-uuid` };
  return callWith(client, kind, headers, 10_000);
}

/** What is wrong with the status a call of `name` ended with (empty when right). */
function statusProblems(name: string, error: ServiceError | null): string[] {
  if (error === null) return ['succeeded'];
  const categories = Object.values(TAXONOMY).filter((spec) => (VALUES[name]?.statuses ?? []).includes(spec.http));
  const spec =
    categories.find((c) => c.grpc === error.code) ?? Object.values(TAXONOMY).find((c) => c.grpc === error.code);
  const ids = error.metadata.get(REQUEST_ID_KEY);
  const id = String(ids[0]);
  const blob = error.metadata.get(DETAILS_KEY)[0];
  const decoded = Buffer.isBuffer(blob) ? decodeStatusDetails(blob) : undefined;
  const visible = visibleText(error);
  return [
    categories.some((c) => c.grpc === error.code) ? '' : `code ${error.code} (${error.details.slice(0, 80)})`,
    spec !== undefined && error.details === spec.message ? '' : `details ${error.details.slice(0, 80)}`,
    ids.length === 1 && UUID_V4.test(id) ? '' : `ids ${JSON.stringify(ids).slice(0, 80)}`,
    decoded?.requestId === id ? '' : 'rich status id',
    ...Object.keys(error.metadata.getMap())
      .filter((k) => !ALLOWED_KEYS.has(k))
      .map((k) => `trailer ${k}`),
    ...extremeLeaks(visible).map((s) => `leaks ${s}`),
    ...(UUID_V4.test(id) ? recordProblems(log.records, id) : []),
  ].filter((p) => p !== '');
}

describe.each(Object.keys(STYLES))('extreme hostile values over gRPC %s', (kind) => {
  it.each(NAMES)('%s', { timeout: 60_000 }, async (name) => {
    const wrong = await problemsByStyle(STYLES[kind] as readonly string[], async (style) => {
      const error = await call(kind, name, style);
      const id = error?.metadata.get(REQUEST_ID_KEY)[0];
      await until(() => recordFor(log.records, String(id)) !== undefined);
      return statusProblems(name, error);
    });
    expect(await call('unary', 'ok', 'callback')).toBeNull();
    expect(wrong).toEqual([]);
    expect(watch.crashes).toEqual([]);
  });
});
