/**
 * A response message that fails to serialize. grpc-js serializes it in its base call, past every
 * interceptor, and answers INTERNAL "Error serializing response" itself: no `x-request-id`, no
 * `grpc-status-details-bin`, no record. With `addFaultlineService` the wrapper serializes the
 * message first (grpc-js gets the bytes), so the call ends with Faultline's INTERNAL and a record
 * whose cause is the serializer's error: a BigInt in a JSON message, a `toJSON` that throws, a
 * serializer that throws a hostile value (a Proxy, throwing getters) or returns no Buffer. Every
 * style: unary callback, client-stream callback, server-stream and bidi `write` (a stream ends
 * with the messages written before, then the fault). Real grpc-js server and client on 127.0.0.1.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import {
  type ClientDuplexStream,
  type ClientReadableStream,
  Metadata,
  Server,
  type ServiceDefinition,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inFlightCount } from '../src/in-flight.js';
import { addFaultlineService } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';

const SECRET = 'hunter2-Zq9';

/** A value no serializer can be asked about without throwing: every trap and getter throws. */
function hostile(): unknown {
  return new Proxy(
    {},
    {
      get() {
        throw new Error(`get ${SECRET}`);
      },
      getPrototypeOf() {
        throw new Error(`proto ${SECRET}`);
      },
      ownKeys() {
        throw new Error(`keys ${SECRET}`);
      },
      has() {
        throw new Error(`has ${SECRET}`);
      },
      getOwnPropertyDescriptor() {
        throw new Error(`descriptor ${SECRET}`);
      },
    },
  );
}

/** An object whose every property is a getter that throws. */
function throwingGetters(): unknown {
  const value = {};
  for (const key of ['message', 'name', 'stack', 'cause', 'code', 'toString', 'constructor', 'then'])
    Object.defineProperty(value, key, {
      enumerable: true,
      get() {
        throw new Error(`${key} ${SECRET}`);
      },
    });
  return value;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/**
 * The response serializer: JSON (which throws on a BigInt and on a `toJSON` that throws), except
 * for `{ serializer: how }`, which makes the serializer itself misbehave.
 */
function responseSerialize(value: unknown): Buffer {
  switch ((value as { serializer?: string } | null)?.serializer) {
    case 'throws-proxy':
      throw hostile();
    case 'throws-getters':
      throw throwingGetters();
    case 'throws-string':
      throw `${SECRET} at /srv/app/codec.js:1`;
    case 'returns-string':
      return `${SECRET}` as unknown as Buffer;
    case 'returns-uint8array':
      return new Uint8Array([1, 2, 3]) as Buffer;
    case 'returns-promise':
      return Promise.resolve(json({})) as unknown as Buffer;
    default:
      return json(value);
  }
}

function methodOf(path: string, requestStream: boolean, responseStream: boolean) {
  return { ...method(path, requestStream, responseStream), responseSerialize };
}

const Service: ServiceDefinition = {
  unary: methodOf('/ser.S/Unary', false, false),
  clientStream: methodOf('/ser.S/ClientStream', true, false),
  serverStream: methodOf('/ser.S/ServerStream', false, true),
  bidi: methodOf('/ser.S/Bidi', true, true),
};

/** The response for a request's `kind`: one that fails to serialize, or `{ ok: true }`. */
function responseOf(kind: string): unknown {
  switch (kind) {
    case 'bigint':
      return { total: 10n, note: SECRET };
    case 'tojson-throws':
      return {
        toJSON() {
          throw new Error(`toJSON password=${SECRET} at /srv/app/order.js:9`);
        },
      };
    case 'tojson-throws-proxy':
      return {
        toJSON() {
          throw hostile();
        },
      };
    case 'ok':
      return { ok: true };
    default:
      return { serializer: kind };
  }
}

const FAILING = [
  'bigint',
  'tojson-throws',
  'tojson-throws-proxy',
  'throws-proxy',
  'throws-getters',
  'throws-string',
  'returns-string',
  'returns-uint8array',
  'returns-promise',
];

type Req = { kind: string };
type Callback = (error: unknown, value?: unknown) => void;
type WritingCall = { request: Req; write(v: unknown, callback?: (error: unknown) => void): boolean; end(): void };
type ReadingCall = { on(event: 'data', fn: (req: Req) => void): void; write?(v: unknown): boolean; end?(): void };

/** What the write callbacks of the server streams got, by the request's kind. */
const writeCallbacks = new Map<string, unknown>();

const implementation = {
  unary(call: { request: Req }, callback: Callback) {
    if (call.request.kind !== 'tojson-answers') return callback(null, responseOf(call.request.kind));
    // The serializer runs the application's code, which answers the call itself meanwhile.
    callback(null, {
      toJSON() {
        callback(null, { inner: true });
        return { outer: true };
      },
    });
  },
  clientStream(call: ReadingCall, callback: Callback) {
    call.on('data', (req) => callback(null, responseOf(req.kind)));
  },
  serverStream(call: WritingCall) {
    const { kind } = call.request;
    if (kind.startsWith('callback:')) {
      call.write(responseOf(kind.slice('callback:'.length)), (error: unknown) => writeCallbacks.set(kind, error));
      return;
    }
    call.write({ n: 1 });
    call.write(responseOf(call.request.kind));
    call.write({ n: 2 });
    call.end();
  },
  bidi(call: ReadingCall) {
    call.on('data', (req) => {
      call.write?.({ n: 1 });
      call.write?.(responseOf(req.kind));
      call.write?.({ n: 2 });
      call.end?.();
    });
  },
} as unknown as UntypedServiceImplementation;

const log = memoryLog();
let server: Server;
let client: Record<string, (...args: unknown[]) => unknown> & { close(): void };

beforeAll(async () => {
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  addFaultlineService(server, Service, implementation, { reporter });
  client = loopbackClient(Service, 'S', await bindLoopback(server));
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

/** What the client got: the messages, then the error (undefined for OK). */
interface Outcome {
  readonly messages: unknown[];
  readonly error: ServiceError | undefined;
}

const OPTIONS = () => ({ deadline: Date.now() + 3000 });

/** One call of `style` asking for the response `kind`. */
function call(style: string, kind: string): Promise<Outcome> {
  const request = { kind };
  return new Promise((resolve) => {
    const done = (error: ServiceError | null, value?: unknown) =>
      resolve({ messages: value === undefined ? [] : [value], error: error ?? undefined });
    if (style === 'unary') client.unary?.(request, new Metadata(), OPTIONS(), done);
    else if (style === 'clientStream') {
      const stream = client.clientStream?.(new Metadata(), OPTIONS(), done) as ClientDuplexStream<unknown, unknown>;
      stream.write(request);
      stream.end();
    } else {
      const stream = (
        style === 'serverStream'
          ? client.serverStream?.(request, new Metadata(), OPTIONS())
          : client.bidi?.(new Metadata(), OPTIONS())
      ) as ClientReadableStream<unknown> & Partial<ClientDuplexStream<unknown, unknown>>;
      const messages: unknown[] = [];
      stream.on('data', (message) => messages.push(message));
      stream.on('error', (error: ServiceError) => resolve({ messages, error }));
      stream.on('status', (status: { code: number }) => {
        if (status.code === 0) resolve({ messages, error: undefined });
      });
      stream.write?.(request);
      stream.end?.();
    }
  });
}

async function recordOf(id: string): Promise<Record<string, unknown> | undefined> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return log.records.find((record) => record.request_id === id);
}

const STYLES = ['unary', 'clientStream', 'serverStream', 'bidi'];
const STREAMING = new Set(['serverStream', 'bidi']);

describe('a response that fails to serialize', () => {
  describe.each(STYLES)('%s', (style) => {
    it.each(FAILING)('%s: Faultline INTERNAL with its id, recorded with the cause', async (kind) => {
      const { messages, error } = await call(style, kind);
      const id = expectSanitized(error, 'internal', [SECRET, 'serializ', 'BigInt', 'toJSON', '/srv/app']);
      // A stream keeps what it wrote before; nothing after the failed message is sent.
      expect(messages).toEqual(STREAMING.has(style) ? [{ n: 1 }] : []);
      const record = await recordOf(id);
      expect(record).toMatchObject({ code: 'INTERNAL', method: Service[style]?.path });
      expect(record?.error).toMatchObject({ message: 'response message could not be serialized' });
      expect((record?.error as { cause?: unknown } | undefined)?.cause).toBeDefined();
      // Redacted as usual.
      expect(JSON.stringify(record)).not.toContain(`password=${SECRET}`);
      expect(inFlightCount(server)).toBe(0);
    });

    it('sends a message that serializes, once', async () => {
      const { messages, error } = await call(style, 'ok');
      expect(error).toBeUndefined();
      expect(messages).toEqual(STREAMING.has(style) ? [{ n: 1 }, { ok: true }, { n: 2 }] : [{ ok: true }]);
    });
  });
});

describe("the serializer runs the application's code", () => {
  it('a toJSON that answers the unary call itself: one answer, the first one sent', async () => {
    expect(await call('unary', 'tojson-answers')).toEqual({ messages: [{ inner: true }], error: undefined });
    expect(inFlightCount(server)).toBe(0);
  });

  it('a failed write calls its callback with the fault, as a failed Node write does', async () => {
    const { error } = await call('serverStream', 'callback:bigint');
    expectSanitized(error, 'internal', [SECRET, 'BigInt']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writeCallbacks.get('callback:bigint')).toBeInstanceOf(Error);
  });
});
