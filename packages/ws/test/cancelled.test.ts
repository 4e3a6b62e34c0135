/**
 * `cancelled` (close 1001, `CANCELLED`) is the client's word only when it left. An `AbortError`
 * from work the server aborted itself, while the socket is open (or the upgrade request still
 * connected), is a server fault: `INTERNAL` (close 1011, or 500 for a refused upgrade), recorded
 * at error level with the reason `<reason>:client-connected`. A client that closes mid-handler
 * keeps `CANCELLED`, recorded once. Real ws server and client on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { createReporter, FaultError, isUuid, TAXONOMY } from '@faultline/core';
import { memoryLog, rawHttpExchange, recordFor } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const ERROR_LEVEL = 50;
const SECRET = 'db.internal hunter2';
const LEAK = /hunter2|db\.internal|aborted|AbortError/;

const abortError = () => new DOMException(`query on ${SECRET} aborted`, 'AbortError');

/** What a message handler does, by the message's text. */
function handle(text: string, socket: WebSocket): unknown {
  switch (text) {
    case 'sync':
      throw abortError();
    case 'async':
      return new Promise((_resolve, reject) => setImmediate(() => reject(abortError())));
    case 'wrapped':
      throw new Error(`upstream ${SECRET} aborted`, {
        cause: new DOMException('This operation was aborted', 'AbortError'),
      });
    case 'fault-cancelled':
      throw FaultError.of('cancelled', { cause: new Error(SECRET) });
    case 'wait-close':
      // The handler aborts its work once the client has left.
      return new Promise((_resolve, reject) => socket.once('close', () => reject(abortError())));
    default:
      return undefined;
  }
}

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
let server: Server;
let port = 0;
/** Upgrades whose check waits for the client to leave, by the request's id: resolved once it ran. */
const waiting = new Map<string, () => void>();

beforeAll(async () => {
  const adapter = createWsAdapter({ reporter });
  const wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    adapter.connection((socket, { request }) => {
      if (request.url === '/connection-abort') throw abortError();
      if (request.url === '/connection-reject') return Promise.reject(abortError());
      const wrap = request.url === '/json' ? adapter.json : adapter.message;
      const onMessage =
        request.url === '/json' ? (m: unknown) => handle(String(m), socket) : (d: unknown) => handle(String(d), socket);
      socket.on('message', wrap(socket, onMessage as (m: unknown) => unknown));
      return undefined;
    }),
  );
  server = createServer((_req, res) => res.end('ok'));
  server.on(
    'upgrade',
    adapter.upgrade(wss, (request) => {
      if (request.url === '/upgrade-abort') throw abortError();
      if (request.url === '/upgrade-reject') return Promise.reject(abortError());
      if (request.url !== '/upgrade-wait') return undefined;
      return new Promise((_resolve, reject) => {
        // Node stops reading an upgrade's socket: the check reads it to notice the client leaving.
        request.socket.resume();
        request.socket.once('close', () => reject(abortError()));
        waiting.get(String(request.headers['x-request-id']))?.();
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function open(path: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

/** Frames received before the close, all of them. */
function frames(ws: WebSocket): string[] {
  const seen: string[] = [];
  ws.on('message', (data) => seen.push(String(data)));
  return seen;
}

async function recordOf(id: string): Promise<Record<string, unknown> | undefined> {
  await reporter.flush();
  return recordFor(log.records, id);
}

/** The close the client got, checked as INTERNAL; returns the id in its reason. */
function internalClose(close: { code: number; reason: string }, seen: readonly string[]): string {
  expect(close.code).toBe(TAXONOMY.internal.wsClose);
  const [code, id = ''] = close.reason.split(' ');
  expect(code).toBe('INTERNAL');
  expect(isUuid(id)).toBe(true);
  // No error frame claims the client cancelled, and nothing of the thrown value is visible.
  expect(seen.filter((frame) => frame.includes('CANCELLED'))).toEqual([]);
  expect(`${close.reason} ${seen.join(' ')}`).not.toMatch(LEAK);
  return id;
}

describe("an AbortError of the server's own, the socket open", () => {
  it.each([
    ['/', 'sync'],
    ['/', 'async'],
    ['/', 'wrapped'],
    ['/json', '"sync"'],
    ['/json', '"async"'],
  ])(
    'message handler on %s, %s: closes 1011 INTERNAL, recorded at error level as client-connected',
    async (path, text) => {
      const ws = await open(path);
      const seen = frames(ws);
      const done = closed(ws);
      ws.send(text);
      const id = internalClose(await done, seen);
      expect(await recordOf(id)).toMatchObject({
        request_id: id,
        code: 'INTERNAL',
        level: ERROR_LEVEL,
        reason: 'net:AbortError:client-connected',
      });
    },
  );

  it.each(['/connection-abort', '/connection-reject'])(
    'connection handler (%s): closes 1011 INTERNAL, recorded as client-connected',
    async (path) => {
      const ws = await open(path);
      const seen = frames(ws);
      const id = internalClose(await closed(ws), seen);
      expect(await recordOf(id)).toMatchObject({
        code: 'INTERNAL',
        level: ERROR_LEVEL,
        reason: 'net:AbortError:client-connected',
      });
    },
  );

  it.each(['/upgrade-abort', '/upgrade-reject'])(
    'upgrade check (%s): refused 500 INTERNAL, not 499, recorded as client-connected',
    async (path) => {
      const answer = await rawHttpExchange(
        port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      expect(answer.startsWith('HTTP/1.1 500 ')).toBe(true);
      expect(answer).not.toMatch(LEAK);
      const id = /x-request-id: ([0-9a-f-]{36})/.exec(answer)?.[1] ?? '';
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { code: string; request_id: string };
      expect(body).toMatchObject({ code: 'INTERNAL', request_id: id });
      expect(await recordOf(id)).toMatchObject({
        code: 'INTERNAL',
        level: ERROR_LEVEL,
        reason: 'net:AbortError:client-connected',
      });
    },
  );

  it("an application's own FaultError 'cancelled' keeps its 1001 CANCELLED", async () => {
    const ws = await open('/');
    const done = closed(ws);
    ws.send('fault-cancelled');
    const close = await done;
    expect(close.code).toBe(TAXONOMY.cancelled.wsClose);
    const [code, id = ''] = close.reason.split(' ');
    expect(code).toBe('CANCELLED');
    expect(await recordOf(id)).toMatchObject({ request_id: id, code: 'CANCELLED' });
  });
});

describe('a client that left mid-handler', () => {
  it('message handler: stays CANCELLED, recorded once, and the server still answers', async () => {
    const connectionId = randomUUID();
    const ws = await open('/', { 'x-request-id': connectionId });
    ws.send('wait-close');
    await new Promise((resolve) => setTimeout(resolve, 30));
    ws.close();
    await closed(ws);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await reporter.flush();
    const records = log.records.filter((r) => JSON.stringify(r.attributes ?? {}).includes(connectionId));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ code: 'CANCELLED', reason: 'net:AbortError' });
    const again = await open('/');
    const done = closed(again);
    again.send('sync');
    expect((await done).code).toBe(1011);
  });

  it('upgrade check: stays CANCELLED, recorded once', async () => {
    const id = randomUUID();
    const running = new Promise<void>((resolve) => waiting.set(id, resolve));
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `GET /upgrade-wait HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${id}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    socket.on('error', () => undefined);
    await running;
    // The client vanishes (RST): the server's socket is destroyed, as `clientGone` reads it.
    socket.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await reporter.flush();
    const records = log.records.filter((r) => r.request_id === id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ code: 'CANCELLED', reason: 'net:AbortError' });
    waiting.delete(id);
  });
});
