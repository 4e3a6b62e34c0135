/**
 * Failures after the connection's answer: a handler that throws (or rejects) after `socket.close()`
 * or `socket.terminate()`, after the client closed, and the application's own 'close' listener
 * that throws or rejects. The client keeps the close it got (the application's code and reason,
 * no frame after it), each failure is recorded once under the connection's id, redacted, nothing
 * reaches `uncaughtException` or `unhandledRejection`, and the server accepts the next connection.
 * Real ws server and clients on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createReporter } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const SECRET = 'hunter2-late-ws';
const late = (how: string) => new Error(`late ${how} postgres://app:${SECRET}@db.internal/x`);
const tick = () => new Promise((resolve) => setImmediate(resolve));
const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const escaped: unknown[] = [];
const onEscaped = (error: unknown) => escaped.push(error);
let server: Server;
let port = 0;

/** What the message handler does, by message text. */
async function handle(text: string, socket: WebSocket): Promise<void> {
  switch (text) {
    case 'close-throw':
      socket.close(4000, 'bye');
      throw late(text);
    case 'close-reject':
      socket.close(4000, 'bye');
      await tick();
      throw late(text);
    case 'terminate-throw':
      socket.terminate();
      throw late(text);
    case 'client-gone-reject':
      await new Promise((resolve) => setTimeout(resolve, 40));
      throw late(text);
    default:
  }
}

beforeAll(async () => {
  process.on('uncaughtException', onEscaped);
  process.on('unhandledRejection', onEscaped);
  const fl = createWsAdapter({ reporter });
  const wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    fl.connection((socket, { request }) => {
      const how = new URL(request.url ?? '/', 'http://x').searchParams.get('how');
      if (how === 'close-listener-throw')
        socket.on('close', () => {
          throw late('close-listener-throw');
        });
      if (how === 'close-listener-reject')
        socket.on('close', async () => {
          await tick();
          throw late('close-listener-reject');
        });
      socket.on(
        'message',
        fl.message(socket, (data) => handle(String(data), socket)),
      );
    }),
  );
  server = createServer();
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  process.off('uncaughtException', onEscaped);
  process.off('unhandledRejection', onEscaped);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function open(id: string, how = ''): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/?how=${how}`, { headers: { 'x-request-id': id } });
    client.once('open', () => resolve(client));
    client.once('error', reject);
  });
}

const recordsOf = (id: string) =>
  log.records.filter((r) => (r.attributes as { connection_id?: string } | undefined)?.connection_id === id);

async function expectOneRecord(id: string): Promise<void> {
  await until(() => recordsOf(id).length > 0);
  await new Promise((resolve) => setTimeout(resolve, 40));
  await reporter.flush();
  expect(recordsOf(id)).toHaveLength(1);
  expect(JSON.stringify(recordsOf(id))).not.toContain(SECRET);
  expect(escaped.map(String)).toEqual([]);
  const next = await open(randomUUID());
  next.close();
}

describe('a failure after the connection was answered', () => {
  it.each(['close-throw', 'close-reject', 'terminate-throw'])('%s: the close stands, one record', async (how) => {
    const id = randomUUID();
    const client = await open(id);
    const frames: string[] = [];
    client.on('message', (data) => frames.push(String(data)));
    client.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    client.send(how);
    const code = await closed;
    expect(code).toBe(how === 'terminate-throw' ? 1006 : 4000);
    expect(frames).toEqual([]);
    await expectOneRecord(id);
  });

  it('client-gone-reject: the client closed first, one record', async () => {
    const id = randomUUID();
    const client = await open(id);
    client.send('client-gone-reject');
    client.close(1000);
    await expectOneRecord(id);
  });

  it.each(['close-listener-throw', 'close-listener-reject'])('%s: one record, no crash', async (how) => {
    const id = randomUUID();
    const client = await open(id, how);
    client.close(1000, 'done');
    await expectOneRecord(id);
  });
});
