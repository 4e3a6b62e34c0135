/**
 * Numbers JSON can carry but no status or delay should: `1e400` (parsed as Infinity), `-0`, 2^64,
 * a negative delay too small to show (`-1e-300`) and the smallest positive one, in WebSocket error
 * frames sent as raw text by a real ws server on 127.0.0.1 (ephemeral port) and handed over as ws 8
 * passes them. A status must be an integer from 400 to 599, else the frame is not conforming; a
 * `retry_after` is a finite non-negative number of seconds, rounded up and capped at a day, and
 * `-0` is 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { DECODE_LIMITS, decodeWsFault } from '../src/index.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const STATUSES = ['1e400', '-1e400', '-0', '18446744073709551616', '4.095e2'];
const DELAYS: readonly [string, number | undefined][] = [
  ['-0', 0],
  ['1e400', undefined],
  ['-1e400', undefined],
  ['-1e-300', undefined],
  ['5e-324', 1],
  ['18446744073709551616', DECODE_LIMITS.retryAfter],
];
/** Each frame as raw JSON text, by name (JSON.stringify could not write 1e400 or -0). */
const FRAMES: Record<string, string> = {};
for (const status of STATUSES)
  FRAMES[`status ${status}`] = `{"error":{"status":${status},"code":"SEAT_TAKEN","message":"pwned"}}`;
for (const [delay] of DELAYS)
  FRAMES[`delay ${delay}`] =
    `{"error":{"status":429,"code":"RATE_LIMITED","request_id":"${ID}","retry_after":${delay}}}`;

let wss: WebSocketServer;
let url = '';
beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (socket) => socket.on('message', (name) => socket.send(FRAMES[String(name)] ?? '{}')));
  await new Promise((resolve) => wss.once('listening', resolve));
  url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

/** The fault of the frame the server sends for `name`. */
function decode(name: string) {
  return new Promise<ReturnType<typeof decodeWsFault>>((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error(`no answer to ${name}`)), 10_000);
    socket.on('open', () => socket.send(name));
    socket.on('message', (data) => {
      clearTimeout(timer);
      resolve(decodeWsFault(data as Buffer));
      socket.close();
    });
    socket.on('error', reject);
  });
}

describe('numbers no status or delay should be, in WebSocket error frames', () => {
  it.each(STATUSES)('status %s is not an error status: internal, not conforming', async (status) => {
    const fault = await decode(`status ${status}`);
    expect(fault).toMatchObject({ conforming: false, status: 500, category: 'internal', code: 'INTERNAL' });
    expect(fault?.message).not.toBe('pwned');
  });

  it.each(DELAYS)('retry_after %s is %s', async (delay, seconds) => {
    const fault = await decode(`delay ${delay}`);
    expect(fault).toMatchObject({ conforming: true, code: 'RATE_LIMITED', requestId: ID });
    expect(Object.is(fault?.retryAfter, seconds)).toBe(true);
  });
});
