/**
 * permessage-deflate on: a compressed message that does not inflate is the peer's fault (ws closes
 * with 1007), recorded as such rather than as the server's INTERNAL at error level; and error
 * frames ws queues in its own sender while it compresses still count against the bound on what a
 * peer that never reads can make the server hold. Real ws server and raw clients on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createReporter, FaultError } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { MAX_QUEUED_FRAMES } from '../src/backpressure.js';
import { createWsAdapter } from '../src/index.js';

const log = memoryLog();
let server: Server;
let port = 0;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  const fl = createWsAdapter({
    reporter: createReporter({ logger: log.logger, flushOnExit: false, dedupWindowMs: 0 }),
  });
  // threshold 0: every error frame is compressed, so each one waits in ws's sender queue.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 0 } });
  wss.on(
    'connection',
    fl.connection((socket) => {
      sockets.push(socket);
      socket.on(
        'message',
        fl.json(socket, () => {
          throw FaultError.of('not_found');
        }),
      );
    }),
  );
  server = createServer((_request, response) => response.writeHead(426).end());
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A raw client past a handshake that negotiated permessage-deflate. */
function deflateClient(): Promise<{ client: Socket; received: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const client = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    client.once('error', reject);
    client.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n',
    );
    client.once('data', (head) => {
      expect(String(head)).toMatch(/^HTTP\/1\.1 101 [\s\S]*permessage-deflate/i);
      client.on('data', (chunk: Buffer) => received.push(chunk));
      resolve({ client, received });
    });
  });
}

describe('permessage-deflate', () => {
  it('records a compressed message that does not inflate as the client fault, not INTERNAL', async () => {
    const { client, received } = await deflateClient();
    // RSV1 set (compressed), masked with a zero key: bytes that are no deflate stream.
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0x13, 0x37, 0x00, 0x01]);
    client.write(Buffer.concat([Buffer.from([0xc1, 0x80 | garbage.length, 0, 0, 0, 0]), garbage]));
    // ws ends the TCP connection once it sent its close frame.
    await new Promise((resolve) => client.once('end', resolve));
    // ws closes with 1007 itself (no reason); the 101's X-Request-Id is the id the record has.
    const close = Buffer.concat(received);
    expect(close[0]).toBe(0x88);
    expect(close.readUInt16BE(2)).toBe(1007);
    const record = log.records.find((r) => r.source === 'ws.socket');
    expect(record).toMatchObject({ code: 'VALIDATION_FAILED', reason: 'ws:permessage-deflate:Z_DATA_ERROR' });
    expect(log.records.some((r) => r.code === 'INTERNAL')).toBe(false);
    client.destroy();
  });

  it('bounds the error frames queued in ws sender while it compresses for a peer that never reads', async () => {
    const { client } = await deflateClient();
    client.pause();
    const socket = sockets.at(-1) as WebSocket;
    const sender = (socket as unknown as { _sender: { _queue: unknown[] } })._sender;
    let peakQueued = 0;
    socket.on('message', () => {
      peakQueued = Math.max(peakQueued, sender._queue.length);
    });
    // Masked text frames "x" (mask 0), not JSON: each is answered with a compressed error frame.
    const batch = Buffer.concat(Array.from({ length: 5_000 }, () => Buffer.from([0x81, 0x81, 0, 0, 0, 0, 0x78])));
    for (let sent = 0; sent < 40 && socket.readyState === socket.OPEN; sent += 1) {
      if (!client.write(batch)) await new Promise((resolve) => client.once('drain', resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.readyState).not.toBe(socket.OPEN);
    expect(peakQueued).toBeGreaterThan(0); // frames did wait in ws's sender
    expect(peakQueued).toBeLessThanOrEqual(MAX_QUEUED_FRAMES + 1);
    client.destroy();
  }, 20_000);
});
