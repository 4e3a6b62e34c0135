/**
 * A grpc-js target whose streams fail late: a server-streaming method and a bidi method that each
 * send a first message and fail with a leaky status 700 ms later (past the 300 ms after its first
 * message the probe used to read a stream), and a clean subscription that sends one message and stays
 * open until the client goes (it must be answered, not counted a timeout); and feeds like it, on
 * which the calls open at once are counted (streams are read on side by side, but not without bound).
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { LeakyTarget, Planted } from './planted.js';
import { rawMethod as method } from './raw-method.js';

/** The late failures: each was missed before (see test/red-team-late-streams.test.ts). */
export const LATE_LEAKS: readonly Planted[] = [
  { where: '/late.Orders/Watch', rule: 'leak/stack-node', severity: 'high' },
  { where: '/late.Orders/Chat', rule: 'leak/driver-pg', severity: 'high' },
];

/** The clean subscription. */
export const SUBSCRIBE = '/late.Orders/Subscribe';

/** Clean subscriptions of their own service: the calls open at once on them are counted. */
export const FEEDS = [...'ABCDEFGH'].map((name) => `/late.Feeds/${name}`);

/** Calls open on the feeds now, and the most open at once. */
const feedCalls = { open: 0, most: 0 };

/** The most calls open at once on {@link FEEDS} so far. */
export function mostOpenFeeds(): number {
  return feedCalls.most;
}

/** How long after its first message each leaky stream fails. */
const LATE_MS = 700;

/** Fails `call` with `details` and `debug` metadata after {@link LATE_MS}, unless the client has gone. */
function failLate(
  call: ServerWritableStream<Buffer, Buffer> | ServerDuplexStream<Buffer, Buffer>,
  details: string,
  debug = '',
) {
  const timer = setTimeout(() => {
    const metadata = new Metadata();
    metadata.set('x-request-id', crypto.randomUUID());
    if (debug !== '') metadata.set('x-debug', debug);
    call.emit('error', { code: 13, details, metadata });
  }, LATE_MS);
  call.on('cancelled', () => clearTimeout(timer));
}

const handlers = {
  Watch: (call: ServerWritableStream<Buffer, Buffer>) => {
    call.write(Buffer.from('{"status":"watching"}'));
    failLate(call, 'TypeError: x is undefined\n    at watch (/srv/api/src/watch.js:9:3)');
  },
  Chat: (call: ServerDuplexStream<Buffer, Buffer>) => {
    call.once('data', () => {
      call.write(Buffer.from('{"ack":1}'));
      failLate(call, 'Internal error', 'relation "refunds" does not exist');
    });
    call.on('error', () => undefined);
  },
  Subscribe: (call: ServerWritableStream<Buffer, Buffer>) => {
    call.write(Buffer.from('{"id":1}'));
    call.on('error', () => undefined);
  },
};

/** A feed: one message, then open until the client goes; counted while open. */
const feed = (call: ServerWritableStream<Buffer, Buffer>) => {
  feedCalls.open += 1;
  feedCalls.most = Math.max(feedCalls.most, feedCalls.open);
  call.once('cancelled', () => {
    feedCalls.open -= 1;
  });
  call.on('error', () => undefined);
  call.write(Buffer.from('{"item":1}'));
};

/** The target: the two late failures and the clean subscription, on one grpc-js server (h2c). */
export async function redTeamLateStreams(): Promise<LeakyTarget> {
  const server = new Server();
  server.addService(
    {
      Watch: method('/late.Orders/Watch', true),
      Chat: { ...method('/late.Orders/Chat', true), requestStream: true },
      Subscribe: method(SUBSCRIBE, true),
    },
    handlers as unknown as UntypedServiceImplementation,
  );
  server.addService(
    Object.fromEntries(FEEDS.map((path) => [path, method(path, true)])),
    Object.fromEntries(FEEDS.map((path) => [path, feed])) as UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    name: 'red team late streams',
    url: `grpc://127.0.0.1:${port}`,
    planted: LATE_LEAKS,
    close: async () => server.forceShutdown(),
  };
}
