/**
 * How an adopted socket gets its guarded `emit` and registration methods (issue 21): a socket
 * whose methods are its class's gets them from one prototype per class, between the socket and
 * its class's prototype, so nothing is stored on each socket; a socket of a class with its own
 * `emit` gets them as its own, wrapping that `emit`. Either way a listener the application adds
 * after adoption (`on`, `once`, `addEventListener`) that throws or rejects is answered (a close
 * `1011 INTERNAL <id>`), with nothing reaching `uncaughtException`. Real ws server and client on
 * 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const GUARDED = [
  'emit',
  'on',
  'addListener',
  'prependListener',
  'once',
  'prependOnceListener',
  'addEventListener',
  'removeEventListener',
] as const;

/** A socket class with nothing of its own. */
class PlainSocket extends WebSocket {}

/** A socket class with its own `emit`, which counts what it emits. */
class CountingSocket extends WebSocket {
  static emitted = 0;
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    CountingSocket.emitted += 1;
    return super.emit(event, ...args);
  }
}

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const servers: Server[] = [];
const sockets: WebSocket[] = [];

/** A server whose sockets are `Socket`s, each getting a failing listener the way its path says. */
async function serve(Socket: typeof WebSocket): Promise<number> {
  const fl = createWsAdapter({ reporter });
  const wss = new WebSocketServer({ noServer: true, WebSocket: Socket });
  wss.on('connection', (socket, request) => {
    sockets.push(socket);
    const fail = () => {
      throw new Error('listener failed');
    };
    if (request.url === '/once') socket.once('message', fail);
    else if (request.url === '/event') socket.addEventListener('message', async () => fail());
    else socket.on('message', fail);
  });
  const server = createServer();
  server.on('upgrade', fl.upgrade(wss));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Connects to `path`, sends one message and resolves with the close code and reason. */
function closeAfterMessage(port: number, path: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    client.once('open', () => client.send('hello'));
    client.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
    client.once('error', reject);
  });
}

const ownGuarded = (socket: WebSocket) => GUARDED.filter((key) => Object.hasOwn(socket, key));

beforeAll(() => {
  process.on('uncaughtException', onCrash);
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  for (const socket of sockets) socket.terminate();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});
afterEach(() => {
  expect(crashes.splice(0).map(String)).toEqual([]);
});

describe('the guard of an adopted socket', () => {
  it("comes from one prototype per class: nothing of it on the socket, each path's listener answered", async () => {
    const port = await serve(WebSocket);
    for (const path of ['/on', '/once', '/event']) {
      const { code, reason } = await closeAfterMessage(port, path);
      expect(code).toBe(1011);
      expect(reason).toMatch(/^INTERNAL [0-9a-f-]{36}$/);
    }
    const [first, second] = sockets.slice(-2);
    expect(first && ownGuarded(first)).toEqual([]);
    expect(second && ownGuarded(second)).toEqual([]);
    expect(first?.emit).toBe(second?.emit);
    expect(first?.emit).not.toBe(WebSocket.prototype.emit);
    expect(first).toBeInstanceOf(WebSocket);
  });

  it("keeps a subclass's prototype in the chain", async () => {
    const port = await serve(PlainSocket);
    expect((await closeAfterMessage(port, '/on')).code).toBe(1011);
    const socket = sockets.at(-1);
    expect(socket).toBeInstanceOf(PlainSocket);
    expect(socket && ownGuarded(socket)).toEqual([]);
  });

  it("wraps a class's own emit as the socket's own, which still runs", async () => {
    const port = await serve(CountingSocket);
    const before = CountingSocket.emitted;
    for (const path of ['/on', '/event']) expect((await closeAfterMessage(port, path)).code).toBe(1011);
    expect(CountingSocket.emitted).toBeGreaterThan(before);
    const socket = sockets.at(-1);
    expect(socket && ownGuarded(socket)).toEqual(expect.arrayContaining(['emit', 'on', 'addEventListener']));
  });
});
