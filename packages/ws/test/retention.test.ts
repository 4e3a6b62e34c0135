/**
 * What the adapter keeps alive per connection (issue 21): under connection churn everything a
 * connection holds survives the young generation's scavenges, so the adapter keeps only how the
 * connection's faults are recorded, never the upgrade request, and socket errors are still
 * recorded with their own connection's id.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createReporter, FaultError } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { logger, records } = memoryLog();
const reporter = createReporter({ logger, flushOnExit: false });
const requests: WeakRef<IncomingMessage>[] = [];
let server: Server;
let wss: WebSocketServer;
let port: number;

beforeAll(async () => {
  const adapter = createWsAdapter({ reporter });
  wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    adapter.connection((socket, context) => {
      requests.push(new WeakRef(context.request));
      socket.on(
        'message',
        adapter.json(socket, () => {
          throw FaultError.of('conflict');
        }),
      );
    }),
  );
  server = createServer();
  server.on('upgrade', adapter.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function open(headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function reply(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(String(data)));
    ws.send(text);
  });
}

/** Collects until `ref` is gone, at most `attempts` times (a turn of the event loop between). */
async function collected(ref: WeakRef<object>, attempts = 20): Promise<boolean> {
  for (let i = 0; i < attempts; i += 1) {
    gc();
    if (ref.deref() === undefined) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

describe('per-connection state', () => {
  it('does not keep the upgrade request alive while the connection is open', async () => {
    const ws = await open();
    expect(JSON.parse(await reply(ws, '{"a":1}')).error.code).toBe('CONFLICT');
    const ref = requests.at(-1);
    expect(ref).toBeDefined();
    expect(await collected(ref as WeakRef<object>)).toBe(true);
    // The connection still answers, and its faults are still answered after the collection.
    expect(JSON.parse(await reply(ws, 'not json')).error.code).toBe('VALIDATION_FAILED');
    ws.close();
  });

  it("leaves the raw socket only ws's own 'error' listener once the connection is open", async () => {
    const ws = await open();
    expect(JSON.parse(await reply(ws, '{"a":1}')).error.code).toBe('CONFLICT');
    const [accepted] = [...wss.clients].slice(-1);
    const raw = (accepted as unknown as { _socket: { listeners(event: string): unknown[] } })._socket;
    // The handshake's listener is gone: one function, not an array of two, for the connection's life.
    expect(raw.listeners('error')).toHaveLength(1);
    ws.close();
  });

  it('records each socket error with its own connection id', async () => {
    const ids = ['6a1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f61', '7b1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f62'];
    const sockets = await Promise.all(ids.map((id) => open({ 'x-request-id': id })));
    const closes = sockets.map((ws) => new Promise<number>((resolve) => ws.once('close', resolve)));
    for (const ws of sockets) ws.send(Buffer.from([0xff, 0xfe]), { binary: false });
    expect(await Promise.all(closes)).toEqual([1007, 1007]);
    await reporter.flush();
    // The first is logged in full, the second as a repeat of it: each with its own connection id.
    const first = records.find((r) => r.reason === 'ws:WS_ERR_INVALID_UTF8');
    expect(first).toMatchObject({ protocol: 'ws', source: 'ws.socket' });
    const connectionIds = records
      .filter((r) => r.fingerprint === first?.fingerprint)
      .flatMap((r) => [r, ...((r.contexts as Record<string, unknown>[] | undefined) ?? [])])
      .map((r) => (r.attributes as { connection_id?: string } | undefined)?.connection_id)
      .filter((id) => id !== undefined);
    expect(connectionIds.sort()).toEqual(ids);
  });
});
