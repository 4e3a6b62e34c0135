/**
 * A leaky grpc-js target whose leaks are where the other targets have none: the initial metadata of
 * a failed call, the trailers of a successful one, the `DebugInfo` inside `grpc-status-details-bin`
 * (stack entries without line breaks, as a `google.rpc.Status` carries them), a base64 value in a
 * text metadata field, and a health Watch whose first message is clean and whose error is not.
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { LeakyTarget, Planted } from './planted.js';
import { rawMethod as method } from './raw-method.js';

type Unary = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => void;

/** A length-delimited protobuf field. */
function field(number: number, value: string | Buffer): Buffer {
  const bytes = Buffer.from(value);
  const length: number[] = [];
  for (let n = bytes.length; ; n >>>= 7) {
    length.push(n > 127 ? (n & 127) | 128 : n);
    if (n <= 127) break;
  }
  return Buffer.concat([Buffer.from([(number << 3) | 2]), Buffer.from(length), bytes]);
}

/** A google.rpc.Status (code 13) whose one detail is a google.rpc.DebugInfo with `entries` as its stack. */
export function debugStatus(message: string, entries: readonly string[]): Buffer {
  const debugInfo = Buffer.concat(entries.map((entry) => field(1, entry)));
  const any = Buffer.concat([field(1, 'type.googleapis.com/google.rpc.DebugInfo'), field(2, debugInfo)]);
  return Buffer.concat([Buffer.from([0x08, 13]), field(2, message), field(3, any)]);
}

const metadata = (entries: Record<string, string | Buffer>) => {
  const md = new Metadata();
  for (const [key, value] of Object.entries(entries)) md.set(key, value);
  return md;
};

const PLANTED: readonly (Planted & { readonly handler: Unary })[] = [
  {
    where: '/redteam.Orders/Initial',
    rule: 'leak/private-ip',
    severity: 'medium',
    handler: (call, callback) => {
      call.sendMetadata(metadata({ 'x-upstream': 'orders.prod.svc.cluster.local:8080' }));
      callback({ code: status.INTERNAL, details: 'internal error' });
    },
  },
  {
    where: '/redteam.Orders/Trailer',
    rule: 'leak/errno',
    severity: 'medium',
    handler: (_call, callback) =>
      callback(null, Buffer.alloc(0), metadata({ 'x-debug': 'connect ECONNREFUSED 10.1.2.3:5432' })),
  },
  {
    where: '/redteam.Orders/Details',
    rule: 'leak/stack-node',
    severity: 'high',
    handler: (_call, callback) =>
      callback({
        code: status.INTERNAL,
        details: 'internal error',
        metadata: metadata({
          'grpc-status-details-bin': debugStatus('internal error', [
            'at OrdersService.create (src/orders/service.js:41:13)',
            'at processTicksAndRejections (node:internal/process/task_queues:95:5)',
          ]),
        }),
      }),
  },
  {
    where: '/redteam.Orders/Encoded',
    rule: 'leak/stack-python',
    severity: 'high',
    handler: (_call, callback) =>
      callback({
        code: status.INTERNAL,
        details: 'internal error',
        metadata: metadata({
          'x-trace': Buffer.from('Traceback (most recent call last):\n  File "/srv/app/orders.py", line 7').toString(
            'base64',
          ),
        }),
      }),
  },
];

/** What the target plants: each method's leak, and the health Watch's. */
export const RED_TEAM_GRPC_PLANTED: readonly Planted[] = [
  ...PLANTED.map(({ rule, where, severity }) => ({ rule, where, ...(severity === undefined ? {} : { severity }) })),
  { rule: 'leak/stack-node', where: '/grpc.health.v1.Health/Watch', severity: 'high' },
];

/** The health Watch: SERVING first, then the error that leaks. */
function watch(call: ServerWritableStream<Buffer, Buffer>): void {
  call.write(Buffer.from([0x08, 0x01]));
  setTimeout(
    () =>
      call.emit('error', {
        code: status.UNAVAILABLE,
        details: 'Error: pool closed\n    at HealthService.watch (/usr/src/app/health.js:12:9)',
      }),
    50,
  );
}

/** The red-team gRPC target; its methods are given to the probe (no reflection). */
export async function redTeamGrpc(): Promise<LeakyTarget> {
  const server = new Server();
  const definition = Object.fromEntries(PLANTED.map((p) => [p.where, method(p.where)]));
  const handlers = Object.fromEntries(PLANTED.map((p) => [p.where, p.handler]));
  server.addService(definition, handlers as unknown as UntypedServiceImplementation);
  server.addService({ Watch: method('/grpc.health.v1.Health/Watch', true) }, {
    Watch: watch,
  } as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    name: 'red team gRPC',
    url: `grpc://127.0.0.1:${port}`,
    planted: RED_TEAM_GRPC_PLANTED,
    close: async () => void server.forceShutdown(),
  };
}
