/**
 * A client that sends and never reads: every message that is not JSON is answered with an error
 * frame, and ws queues what the peer does not read. The server must not buffer error frames
 * without bound: past the limit the fault closes the connection with `<CODE> <request_id>`.
 * Real ws server (wired as the guide shows) and a raw TCP client on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createReporter, FaultError, isUuid, TAXONOMY } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { MAX_QUEUED_BYTES, MAX_QUEUED_FRAMES } from '../src/backpressure.js';
import { createWsAdapter } from '../src/index.js';

const log = memoryLog();
let server: Server;
let port = 0;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  const fl = createWsAdapter({ reporter: createReporter({ logger: log.logger, flushOnExit: false }) });
  const wss = new WebSocketServer({ noServer: true });
  const onMessage = () => {
    throw FaultError.of('not_found'); // never reached: every message here is not JSON
  };
  wss.on(
    'connection',
    fl.connection((socket) => {
      sockets.push(socket);
      socket.on('message', fl.json(socket, onMessage));
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

/** A raw client past the handshake, not reading: the 101 answer is consumed, then it pauses. */
function upgradedRawClient(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const client = connect(port, '127.0.0.1');
    client.once('error', reject);
    client.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    client.once('data', (head) => {
      expect(String(head)).toMatch(/^HTTP\/1\.1 101 /);
      client.pause();
      resolve(client);
    });
  });
}

/** The server's frames in `bytes` (unmasked): opcode and payload of each complete one. */
function framesIn(bytes: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    let length = (bytes[at + 1] as number) & 0x7f;
    let start = at + 2;
    // An extended length not all arrived yet: the frame is not complete.
    if (length === 126) {
      if (at + 4 > bytes.length) break;
      length = bytes.readUInt16BE(at + 2);
      start += 2;
    } else if (length === 127) {
      if (at + 10 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(at + 2));
      start += 8;
    }
    if (start + length > bytes.length) break;
    frames.push({ opcode: (bytes[at] as number) & 0x0f, payload: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return frames;
}

describe('a client that sends and never reads', () => {
  it('is closed with "<CODE> <id>" instead of having error frames queued without bound', async () => {
    const client = await upgradedRawClient();
    // A masked text frame "x" (mask 0): 7 bytes, not JSON, answered with a ~150-byte error frame.
    const batch = Buffer.concat(Array.from({ length: 10_000 }, () => Buffer.from([0x81, 0x81, 0, 0, 0, 0, 0x78])));
    const socket = sockets.at(-1) as WebSocket;
    let peak = 0;
    let peakChunks = 0;
    // The chunks Node holds for the socket (each a heap object or two, whatever its bytes).
    const state = (socket as unknown as { _socket: { _writableState: { buffered: unknown[]; bufferedIndex: number } } })
      ._socket._writableState;
    socket.on('message', () => {
      peak = Math.max(peak, socket.bufferedAmount);
      peakChunks = Math.max(peakChunks, state.buffered.length - state.bufferedIndex);
    });
    // Up to 400,000 messages (2.8 MB sent; 60 MB of error frames unbounded), until the server closes.
    for (let sent = 0; sent < 40 && socket.readyState === socket.OPEN; sent += 1) {
      if (!client.write(batch)) await new Promise((resolve) => client.once('drain', resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.readyState).not.toBe(socket.OPEN);
    expect(peak).toBeLessThan(MAX_QUEUED_BYTES + 64 * 1024);
    // Small frames are bounded by their count too: 1 MiB of 150-byte frames was 14,600 chunks.
    expect(peakChunks).toBeGreaterThan(0);
    // ws writes a frame's head and its payload as two chunks.
    expect(peakChunks).toBeLessThanOrEqual(2 * (MAX_QUEUED_FRAMES + 1));

    // The client reads again: the error frames it left, then the close with the fault's code and id.
    const received: Buffer[] = [];
    const closeFrame = () => framesIn(Buffer.concat(received)).find((frame) => frame.opcode === 0x8);
    await new Promise<void>((resolve) => {
      client.on('data', (chunk: Buffer) => {
        received.push(chunk);
        // Only the tail can hold the close: parse once the last chunk starts a short frame.
        if (chunk.length < 65_536 && closeFrame() !== undefined) resolve();
      });
      client.once('close', () => resolve());
      client.resume();
    });
    const close = closeFrame();
    expect(close?.payload.readUInt16BE(0)).toBe(TAXONOMY.validation.wsClose);
    const [code, id = ''] = String(close?.payload.subarray(2)).split(' ');
    expect(code).toBe('VALIDATION_FAILED');
    expect(isUuid(id)).toBe(true);
    client.destroy();
  }, 20_000);
});
