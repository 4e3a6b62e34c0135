/**
 * 'connection' listeners the application adds itself, not wrapped with `fl.connection`. On a
 * WebSocketServer created with `{ server }` or `{ port }`, ws calls them from the HTTP server's
 * 'upgrade' listener: one that threw, or an `async` one that rejected, ended the process (and so
 * did an `async` one under `fl.upgrade`). Under `fl.server(wss)` (and `fl.upgrade(wss)`) each must
 * close its socket with `1011 INTERNAL <id>` (an error frame for a client fault), be recorded once
 * under the connection id, and leave the later listeners running; the socket is adopted before
 * the listener runs, so the listeners it adds are guarded too; removing a listener still works.
 * Real HTTP server, ws server and client on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createReporter, FaultError, isUuid } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';
import { categoryOf, FORBIDDEN, make, PLAIN_VALUES, VALUES } from './red-team-values.js';

const SECRET = 'hunter2-server';
const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const fl = createWsAdapter({ reporter });
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const servers: Server[] = [];
const wsServers: WebSocketServer[] = [];
let port = 0;

const query = (request: IncomingMessage) => new URL(request.url ?? '/', 'http://x').searchParams;

/** The listeners of the shared `{ server }` server, by the request's query. */
function failing(socket: WebSocket, request: IncomingMessage): unknown {
  const params = query(request);
  const name = params.get('name');
  if (name !== null) {
    if (params.get('how') === 'reject') return Promise.reject(make(name));
    throw make(name);
  }
  if (params.has('sync')) throw new Error(`sync listener ${SECRET}`);
  if (params.has('async')) return Promise.reject(new Error(`async listener ${SECRET}`));
  if (params.has('conflict')) throw FaultError.of('conflict', { message: SECRET, stack: false });
  if (params.has('socket')) {
    socket.on('message', async () => {
      throw new Error(`socket listener ${SECRET}`);
    });
  }
  return undefined;
}

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const server = createServer();
  servers.push(server);
  const wss = new WebSocketServer({ server });
  wsServers.push(wss);
  // Added before the server is guarded: wrapped in place.
  wss.on('connection', failing);
  fl.server(wss);
  // Added after: wrapped as it is added. It runs whatever the one before did.
  wss.on('connection', (socket) => socket.send('welcome'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  for (const wss of wsServers) {
    for (const client of wss.clients) client.terminate();
    wss.close();
  }
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
afterEach(() => {
  expect(crashes.splice(0).map(String)).toEqual([]);
});

/** Opens `ws://127.0.0.1:<at>/<path>`; resolves once open, with the frames and the close. */
async function open(path: string, at = port) {
  const client = new WebSocket(`ws://127.0.0.1:${at}/${path}`);
  const frames: string[] = [];
  client.on('message', (data) => frames.push(String(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  return { client, frames, closed };
}

/** The records whose request id is `id` (waits for one). */
async function recordsOf(id: string) {
  const find = () => log.records.filter((r) => r.request_id === id);
  await reporter.flush();
  await until(() => find().length > 0);
  return find();
}

/** Expects a close `1011 INTERNAL <id>`, recorded once with the connection's id; returns the record. */
async function expectInternalClose(closed: Promise<{ code: number; reason: string }>, source = 'ws.connection') {
  const { code, reason } = await closed;
  expect(code).toBe(1011);
  const [faultCode, id = ''] = reason.split(' ');
  expect(faultCode).toBe('INTERNAL');
  expect(isUuid(id)).toBe(true);
  expect(reason).not.toContain(SECRET);
  const records = await recordsOf(id);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ code: 'INTERNAL', source });
  expect(isUuid((records[0]?.attributes as { connection_id?: string } | undefined)?.connection_id)).toBe(true);
  return records[0];
}

describe("a 'connection' listener on a { server } WebSocketServer under fl.server", () => {
  it('that throws: close 1011 "INTERNAL <id>", recorded once, the process still up', async () => {
    const { closed } = await open('?sync');
    await expectInternalClose(closed);
  });

  it('that is async and rejects: close 1011 "INTERNAL <id>", recorded once', async () => {
    const { closed } = await open('?async');
    await expectInternalClose(closed);
  });

  it('that throws a client fault: an error frame, and the next listener still runs', async () => {
    const { client, frames } = await open('?conflict');
    await until(() => frames.length === 2);
    expect(frames.map((f) => (f === 'welcome' ? f : JSON.parse(f).error.code)).sort()).toEqual(['CONFLICT', 'welcome']);
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.close();
  });

  it('adopts the socket first: an async listener it adds to the socket is answered too', async () => {
    const { client, closed } = await open('?socket');
    client.send('go');
    await expectInternalClose(closed, 'ws.listener');
  });

  it.each(
    [...Object.keys(VALUES), ...Object.keys(PLAIN_VALUES)].flatMap((name) => [
      [name, 'throw'],
      [name, 'reject'],
    ]),
  )('%s (%s): answered as its category, recorded once, nothing leaks', async (name, how) => {
    const { client, frames, closed } = await open(`?name=${encodeURIComponent(name)}&how=${how}`);
    if (categoryOf(name) === 'internal') {
      const { code, reason } = await closed;
      expect(code).toBe(1011);
      expect(reason).not.toMatch(FORBIDDEN);
      expect(await recordsOf(reason.split(' ')[1] as string)).toHaveLength(1);
    } else {
      await until(() => frames.length === 2);
      const frame = frames.find((f) => f !== 'welcome') as string;
      expect(frame).not.toMatch(FORBIDDEN);
      const { request_id: id, status } = JSON.parse(frame).error;
      expect(status).toBeGreaterThanOrEqual(400);
      const records = await recordsOf(id);
      expect(records).toHaveLength(1);
      expect(records[0]?.category).toBe(categoryOf(name));
      client.close();
    }
  });
});

describe('fl.server on other servers', () => {
  it('a { port } server: an async listener rejecting closes 1011, recorded once', async () => {
    const wss = fl.server(new WebSocketServer({ port: 0, host: '127.0.0.1' }));
    wsServers.push(wss);
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', async () => {
      throw new Error(`port listener ${SECRET}`);
    });
    const { closed } = await open('', (wss.address() as { port: number }).port);
    await expectInternalClose(closed);
  });

  it("a listener removed with off() does not run; a 'once' listener runs once", async () => {
    const server = createServer();
    servers.push(server);
    const wss = fl.server(new WebSocketServer({ server }));
    wsServers.push(wss);
    const removed = () => {
      throw new Error(`removed listener ran ${SECRET}`);
    };
    wss.on('connection', removed);
    wss.off('connection', removed);
    wss.once('connection', async () => {
      throw new Error(`once listener ${SECRET}`);
    });
    wss.on('connection', (socket) => socket.send('welcome'));
    // fl.connection's listener answers its handler's failures itself: added as it is.
    const own = fl.connection(() => undefined);
    wss.on('connection', own);
    expect(wss.rawListeners('connection')).toContain(own);
    wss.off('connection', own);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const at = (server.address() as { port: number }).port;
    const first = await open('', at);
    await expectInternalClose(first.closed);
    const second = await open('', at);
    await until(() => second.frames.length === 1);
    expect(second.frames).toEqual(['welcome']);
    expect(wss.listenerCount('connection')).toBe(1);
    second.client.close();
  });

  it('fl.upgrade guards its { noServer } server: an async listener rejecting closes 1011, recorded once', async () => {
    const server = createServer();
    servers.push(server);
    const wss = new WebSocketServer({ noServer: true });
    wsServers.push(wss);
    server.on('upgrade', fl.upgrade(wss));
    wss.on('connection', async () => {
      throw new Error(`upgrade listener ${SECRET}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { closed } = await open('', (server.address() as { port: number }).port);
    await expectInternalClose(closed);
  });
});
