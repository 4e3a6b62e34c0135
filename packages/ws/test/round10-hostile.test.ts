/**
 * Round 10: the values of `round10-values.ts` (conversions that throw or return 10 MB,
 * `__proto__` keys, a Buffer of SQL, CR/LF/NUL and lone surrogates, self-listing
 * AggregateErrors, thenables that never settle, out-of-range close codes and statuses, every
 * Proxy trap throwing) from every place a ws application fails: a message handler (sync, async,
 * a binary frame, `fl.json`), the connection handler (sync, async), a `fl.stream` stage, a
 * listener added to the socket (sync, async), the upgrade check (sync, async) and `verifyClient`.
 * Real ws server and client on 127.0.0.1: each answer is the category's close code (or status)
 * with `<CODE> <id>` (or problem JSON with the id), exactly one record carries that id, nothing
 * of the value reaches the client, nothing crashes, and the server keeps serving.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { pipeline, Transform } from 'node:stream';
import { createReporter, TAXONOMY } from '@faultline/core';
import { crashWatch, memoryLog, rawHttpExchange, until } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';
import { categoryOf, FORBIDDEN, ROUND10_VALUES } from './round10-values.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SOCKET_STYLES = [
  'sync',
  'async',
  'binary',
  'json',
  'connection-sync',
  'connection-async',
  'stream',
  'listener',
  'listener-async',
];
const log = memoryLog();
const watch = crashWatch();
let server: Server;
let wss: WebSocketServer;
let port = 0;

const query = (request: IncomingMessage) => new URL(request.url ?? '/', 'http://x').searchParams;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const make = (name: string | null) => (ROUND10_VALUES[name ?? ''] as () => unknown)();

beforeAll(async () => {
  watch.start();
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({
    noServer: true,
    verifyClient: (async ({ req }: { req: IncomingMessage }) => {
      const name = query(req).get('verify');
      if (name !== null) throw make(name);
      return true;
    }) as never,
  });
  wss.on(
    'connection',
    fl.connection(async (socket, { request }) => {
      const name = query(request).get('v');
      const style = query(request).get('style');
      if (style === 'connection-sync') throw make(name);
      if (style === 'connection-async') await tick().then(() => Promise.reject(make(name)));
      if (style === 'stream') {
        const duplex = fl.stream(socket, createWebSocketStream(socket, { encoding: 'utf8' }));
        const stage = new Transform({ transform: (_chunk, _encoding, done) => done(make(name) as Error) });
        return void pipeline(duplex, stage, duplex, () => undefined);
      }
      if (style === 'listener') return void socket.on('message', () => throwIt(name));
      if (style === 'listener-async') return void socket.on('message', async () => tick().then(() => throwIt(name)));
      if (style === 'json')
        return void socket.on(
          'message',
          fl.json(socket, () => throwIt(name)),
        );
      socket.on(
        'message',
        fl.message(socket, async (data) => {
          if (String(data) === 'echo') return void socket.send('alive');
          if (style === 'async') await tick();
          throwIt(name);
        }),
      );
    }),
  );
  server = createServer();
  server.on(
    'upgrade',
    fl.upgrade(wss, (request) => {
      const name = query(request).get('upgrade');
      if (name === null) return undefined;
      if (query(request).get('how') === 'async') return tick().then(() => throwIt(name));
      throwIt(name);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  watch.stop();
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Throws the value named `name`. */
function throwIt(name: string | null): never {
  throw make(name);
}

/** Opens `path`, sends one message (binary when asked) and resolves with the frames and the close. */
function exchange(path: string, binary: boolean): Promise<{ frames: string[]; code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    const frames: string[] = [];
    const timer = setTimeout(() => {
      client.terminate();
      reject(new Error(`${path}: no close in 5 s`));
    }, 5000);
    client.on('message', (data) => frames.push(String(data)));
    client.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ frames, code, reason: String(reason) });
    });
    client.once('error', reject);
    client.once('open', () =>
      binary ? client.send(Buffer.from([0, 0xff, 0xfe]), { binary: true }) : client.send('{"a":1}'),
    );
  });
}

/** Exactly one record carries `id`, one of the ws protocol and of `category`. */
async function recordedOnce(id: string, category: string): Promise<void> {
  await until(() => log.records.some((record) => record.request_id === id));
  await new Promise((resolve) => setTimeout(resolve, 10));
  const records = log.records.filter((record) => record.request_id === id);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ protocol: 'ws', category });
}

describe.concurrent.each(Object.keys(ROUND10_VALUES))('%s', (name) => {
  const category = categoryOf(name);
  const spec = TAXONOMY[category];
  it.each(SOCKET_STYLES)('from %s: its close code and "<CODE> <id>", recorded once', async (style) => {
    const { frames, code, reason } = await exchange(
      `/?v=${encodeURIComponent(name)}&style=${style}`,
      style === 'binary',
    );
    expect(frames).toEqual([]);
    expect(reason).not.toMatch(FORBIDDEN);
    expect(code).toBe(spec.wsClose);
    const [stable, id = ''] = reason.split(' ');
    expect(stable).toBe(spec.code);
    expect(id).toMatch(V4);
    await recordedOnce(id, category);
  });

  it.each(['upgrade', 'upgrade&how=async', 'verify'])(
    'from the handshake (%s): its status in problem JSON, recorded once',
    async (place) => {
      const [key, rest = ''] = place.split('&');
      const raw = await rawHttpExchange(
        port,
        `GET /?${key}=${encodeURIComponent(name)}${rest ? `&${rest}` : ''} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        3000,
      );
      expect(raw.slice(0, 12)).toBe(`HTTP/1.1 ${spec.http}`);
      expect(raw).not.toMatch(FORBIDDEN);
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { request_id: string; code: string };
      expect(body.code).toBe(spec.code);
      expect(raw).toContain(`x-request-id: ${body.request_id}`);
      await recordedOnce(body.request_id, category);
    },
  );
});

describe('after every round 10 value', () => {
  it('nothing crashed or went unhandled, and the server still answers', async () => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/?style=sync`);
    const reply = await new Promise<string>((resolve, reject) => {
      client.once('open', () => client.send('echo'));
      client.once('message', (data) => resolve(String(data)));
      client.once('error', reject);
    });
    client.close();
    expect(reply).toBe('alive');
    expect(watch.crashes).toEqual([]);
  });
});
