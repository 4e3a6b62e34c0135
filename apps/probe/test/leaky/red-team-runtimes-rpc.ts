/**
 * Leaky gRPC and WebSocket targets whose texts the first signatures let through: a Rust panic in a
 * `grpc-message`, an environment dump in a binary (`-bin`) trailer, a connection string without a
 * user name in an `ErrorInfo`'s metadata inside `grpc-status-details-bin`, an IPv6 unique-local
 * address in initial metadata; a WebSocket close reason naming an `/etc` file, a binary frame of
 * JSON carrying a Python exception, a 172.16/12 address in a 101 answer's fields, and a refused
 * upgrade whose HTTP body carries a JavaScript exception message.
 */
import { createServer } from 'node:http';
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { WebSocketServer } from 'ws';
import { type LeakyTarget, type Planted, portOf } from './planted.js';
import { rawMethod } from './raw-method.js';

type Unary = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => void;

/** A length-delimited protobuf field. */
function field(number: number, value: string | Buffer): Buffer {
  const bytes = Buffer.from(value);
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

/** A google.rpc.Status (code 13) whose one detail is a google.rpc.ErrorInfo with `metadata` (one entry). */
function errorInfoStatus(key: string, value: string): Buffer {
  const entry = field(3, Buffer.concat([field(1, key), field(2, value)]));
  const info = Buffer.concat([field(1, 'CACHE_UNAVAILABLE'), field(2, 'shop.example.com'), entry]);
  const any = Buffer.concat([field(1, 'type.googleapis.com/google.rpc.ErrorInfo'), field(2, info)]);
  return Buffer.concat([Buffer.from([0x08, 13]), field(2, 'internal error'), field(3, any)]);
}

const md = (entries: Record<string, string | Buffer>) => {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
};
const fail = (callback: sendUnaryData<Buffer>, details: string, metadata = new Metadata()) =>
  callback({ code: status.INTERNAL, details, metadata });

const GRPC: readonly (Planted & { readonly handler: Unary })[] = [
  {
    where: '/rt.Shop/Panic',
    rule: 'leak/stack-rust',
    severity: 'high',
    handler: (_call, callback) => fail(callback, "thread 'grpc-worker' panicked at src/shop/orders.rs:88:14"),
  },
  {
    where: '/rt.Shop/Env',
    rule: 'leak/secret',
    severity: 'high',
    handler: (_call, callback) =>
      fail(callback, 'internal error', md({ 'x-config-bin': Buffer.from('NODE_ENV=production\nDB_PASS=hunter2x') })),
  },
  {
    where: '/rt.Shop/ErrorInfo',
    rule: 'leak/secret',
    severity: 'high',
    handler: (_call, callback) =>
      fail(
        callback,
        'internal error',
        md({ 'grpc-status-details-bin': errorInfoStatus('dsn', 'redis://:s3cr3tpw@cache:6379/0') }),
      ),
  },
  {
    where: '/rt.Shop/Upstream',
    rule: 'leak/private-ip',
    severity: 'medium',
    handler: (call, callback) => {
      call.sendMetadata(md({ 'x-upstream': '[fd00:ab::17]:50051' }));
      fail(callback, 'internal error');
    },
  },
];

/** The gRPC target's planted leaks (its methods are given to the probe: no reflection). */
export const RUNTIME_GRPC_PLANTED: readonly Planted[] = GRPC.map(({ rule, where, severity }) => ({
  rule,
  where,
  ...(severity === undefined ? {} : { severity }),
}));

/** The gRPC target. */
export async function runtimesGrpc(): Promise<LeakyTarget> {
  const server = new Server();
  server.addService(
    Object.fromEntries(GRPC.map((p) => [p.where, rawMethod(p.where)])),
    Object.fromEntries(GRPC.map((p) => [p.where, p.handler])) as unknown as UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    name: 'red team runtimes gRPC',
    url: `grpc://127.0.0.1:${port}`,
    planted: RUNTIME_GRPC_PLANTED,
    close: async () => void server.forceShutdown(),
  };
}

/** The ws target's planted leaks, a path each. */
export const RUNTIME_WS_PLANTED: readonly Planted[] = [
  { rule: 'leak/path', where: '/ws', severity: 'medium' },
  { rule: 'leak/exception', where: '/socket', severity: 'medium' },
  { rule: 'leak/private-ip', where: '/cable', severity: 'medium' },
  { rule: 'leak/exception', where: '/graphql', severity: 'medium' },
];

/** The ws target. */
export async function runtimesWs(): Promise<LeakyTarget> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers, req) => {
    if (req.url === '/cable') headers.push('X-Upstream: 172.16.9.9:3334');
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    if (req.url === '/graphql' && /^[A-Za-z0-9+/]{22}==$/.test(String(req.headers['sec-websocket-key']))) {
      const body = "TypeError: Cannot read properties of null (reading 'token')";
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.on('message', () => {
        if (req.url === '/ws') ws.close(1011, 'open /etc/chat/rooms.json failed');
        else if (req.url === '/socket') ws.send(Buffer.from('{"error":"KeyError: \'room\'"}'), { binary: true });
        else ws.send('{"error":{"code":"VALIDATION_FAILED"}}');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'red team runtimes ws',
    url: `ws://127.0.0.1:${portOf(server)}`,
    planted: RUNTIME_WS_PLANTED,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
