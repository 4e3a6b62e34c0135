/**
 * Failures at the edges of a connection's life: hundreds on one socket (no listener added per
 * failure), after the application closed the socket itself (its close stands, nothing is sent
 * after it), after the client reset the connection, and under connect/disconnect churn while
 * error frames and closes are being sent. The server neither crashes nor keeps sockets, and
 * every fault is recorded with its connection's id. Real ws server and clients on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createReporter, FaultError } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const serverSockets = new Map<string, WebSocket>();
let server: Server;
let wss: WebSocketServer;
let port = 0;

/** What the handler does, by message. */
async function handle(text: string, socket: WebSocket, fail: (thrown: unknown) => void): Promise<void> {
  if (text === 'close-then-throw') {
    socket.close(4000, 'bye');
    setImmediate(() => fail(new Error('a job failed after the close')));
    throw FaultError.of('conflict');
  }
  // The failure lands once the client may already be gone.
  await new Promise((resolve) => setTimeout(resolve, text === 'slow' ? 30 : 0));
  throw text === 'fatal' ? new Error('fatal') : FaultError.of('validation');
}

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    fl.connection((socket, { connectionId }) => {
      serverSockets.set(connectionId, socket);
      const fail = (thrown: unknown) => fl.fail(socket, thrown, 'app.job');
      socket.on(
        'message',
        fl.message(socket, (data) => handle(String(data), socket, fail)),
      );
    }),
  );
  server = createServer();
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  expect(crashes.splice(0).map(String)).toEqual([]);
});

function open(id = randomUUID()): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { 'x-request-id': id } });
    client.once('open', () => resolve(client));
    client.once('error', reject);
  });
}

async function recordsOf(connectionId: string): Promise<Record<string, unknown>[]> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  await reporter.flush();
  return log.records.filter(
    (r) => (r.attributes as { connection_id?: string } | undefined)?.connection_id === connectionId,
  );
}

/** Every listener count on a socket and on the TCP socket under it. */
function listenerCounts(socket: WebSocket): Record<string, number> {
  const raw = (socket as unknown as { _socket: Socket })._socket;
  const counts: Record<string, number> = {};
  for (const [prefix, emitter] of [
    ['ws', socket],
    ['tcp', raw],
  ] as const)
    for (const name of emitter.eventNames()) counts[`${prefix}:${String(name)}`] = emitter.listenerCount(name);
  return counts;
}

describe('one connection', () => {
  it('answers 300 failures with 300 error frames and adds no listener for them', async () => {
    const id = randomUUID();
    const client = await open(id);
    const socket = serverSockets.get(id) as WebSocket;
    const before = listenerCounts(socket);
    let frames = 0;
    const all = new Promise<void>((resolve) =>
      client.on('message', () => {
        frames += 1;
        if (frames === 300) resolve();
      }),
    );
    for (let i = 0; i < 300; i += 1) client.send('x');
    await all;
    expect(listenerCounts(socket)).toEqual(before);
    expect(before['ws:error']).toBe(1);
    client.close();
  });

  it("keeps the application's own close: nothing after it, each late fault recorded", async () => {
    const id = randomUUID();
    const client = await open(id);
    const received: string[] = [];
    client.on('message', (data) => received.push(String(data)));
    const closed = new Promise<[number, string]>((resolve) =>
      client.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    client.send('close-then-throw');
    expect(await closed).toEqual([4000, 'bye']);
    expect(received).toEqual([]);
    const codes = (await recordsOf(id)).map((r) => r.code).sort();
    expect(codes).toEqual(['CONFLICT', 'INTERNAL']);
  });

  it('records a failure on a connection the client reset, and sends nothing', async () => {
    const id = randomUUID();
    const client = await open(id);
    client.send('slow');
    await new Promise((resolve) => setTimeout(resolve, 5));
    client.terminate();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await recordsOf(id)).map((r) => r.code)).toEqual(['VALIDATION_FAILED']);
    expect(serverSockets.get(id)?.readyState).toBe(WebSocket.CLOSED);
  });
});

describe('connect/disconnect churn while faults are answered', () => {
  it('60 clients leave mid-answer (reset or close): no crash, no socket kept, the server still answers', async () => {
    const ids: string[] = [];
    for (let round = 0; round < 60; round += 1) {
      const id = randomUUID();
      ids.push(id);
      const client = await open(id);
      client.on('error', () => undefined);
      client.send(round % 2 === 0 ? 'fatal' : 'slow');
      if (round % 3 === 0) client.terminate();
      else setTimeout(() => client.close(), round % 7);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(wss.clients.size).toBe(0);
    const recorded = await Promise.all(ids.map(async (id) => (await recordsOf(id)).length));
    expect(recorded.every((count) => count === 1)).toBe(true);
    const client = await open();
    const frame = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
    client.send('x');
    expect(JSON.parse(await frame)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    client.close();
  });
});
