/**
 * A grpc-js target whose leaks the probe's unary calls and text metadata did not read: the second
 * message of a server-streaming method (a unary client gives up on it), and binary (`-bin`) metadata
 * holding UTF-16 text (.NET's `Encoding.Unicode`) or gzipped text. Beside them, a clean
 * server-streaming method that sends two messages and ends OK, which a unary client waited on until
 * its deadline (unanswered: a false alarm).
 */
import { gzipSync } from 'node:zlib';
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { LeakyTarget, Planted } from './planted.js';
import { rawMethod as method } from './raw-method.js';

type Unary = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => void;
type Streaming = (call: ServerWritableStream<Buffer, Buffer>) => void;

/** The leaky methods: each leak was missed before (see test/red-team-grpc-streams.test.ts). */
export const GRPC_STREAM_LEAKS: readonly Planted[] = [
  { where: '/rt.Orders/Watch', rule: 'leak/stack-node', severity: 'high' },
  { where: '/rt.Orders/Debug', rule: 'leak/driver-pg', severity: 'high' },
  { where: '/rt.Orders/Trace', rule: 'leak/stack-java', severity: 'high' },
];

/** The clean server-streaming method. */
export const CLEAN_STREAM = '/rt.Orders/List';

const failing = (key: string, value: Buffer): Parameters<sendUnaryData<Buffer>>[0] => {
  const metadata = new Metadata();
  metadata.set('x-request-id', crypto.randomUUID());
  metadata.set(key, value);
  return { code: 13, details: 'Internal error', metadata };
};

const unary: Record<string, Unary> = {
  Debug: (_call, callback) =>
    callback(failing('debug-bin', Buffer.from('relation "refunds" does not exist', 'utf16le'))),
  Trace: (_call, callback) =>
    callback(failing('trace-bin', gzipSync('java.io.IOException: closed\n\tat com.acme.Orders.get(Orders.java:7)'))),
};

const streaming: Record<string, Streaming> = {
  Watch: (call) => {
    call.write(Buffer.from('{"status":"watching"}'));
    call.write(Buffer.from('{"error":"TypeError: x is undefined\\n    at watch (/srv/api/src/watch.js:9:3)"}'));
    call.end();
  },
  List: (call) => {
    call.write(Buffer.from('{"id":1}'));
    call.write(Buffer.from('{"id":2}'));
    call.end();
  },
};

/** The target: the leaky methods and the clean stream, on one grpc-js server (h2c). */
export async function redTeamGrpcStreams(): Promise<LeakyTarget> {
  const server = new Server();
  const definition = Object.fromEntries([
    ...Object.keys(unary).map((name) => [name, method(`/rt.Orders/${name}`)]),
    ...Object.keys(streaming).map((name) => [name, method(`/rt.Orders/${name}`, true)]),
  ]);
  server.addService(definition, { ...unary, ...streaming } as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    name: 'red team gRPC streams',
    url: `grpc://127.0.0.1:${port}`,
    planted: GRPC_STREAM_LEAKS,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
