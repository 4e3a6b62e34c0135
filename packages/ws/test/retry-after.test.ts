/**
 * A recoverable fault that says when to try again (a limiter's rejection, a fault made with
 * `retryAfter`) sends its delay in the error frame as `retry_after` (whole seconds), where HTTP
 * sends `Retry-After` and gRPC `RetryInfo`: a WebSocket frame has no headers. The socket stays
 * open; a fault without a delay has no such member. Real ws server and client on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { decodeWsFault } from '@faultline/client';
import { FaultError, isUuid } from '@faultline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

/** What each message makes the handler throw. */
const THROWN: Record<string, () => unknown> = {
  // rate-limiter-flexible rejects with a RateLimiterRes, not an Error.
  limiter: () => ({ msBeforeNext: 1_500, remainingPoints: 0, consumedPoints: 11, isFirstInDuration: false }),
  made: () => FaultError.of('rate_limited', { retryAfter: 30 }),
  named: () => Object.assign(new Error('slow down hunter2'), { name: 'RateLimitError', retryAfter: 7 }),
  bare: () => FaultError.of('rate_limited'),
  validation: () => FaultError.of('validation'),
};

let server: Server;
let port = 0;
beforeAll(async () => {
  const fl = createWsAdapter({ reporter: false });
  const wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    fl.connection((socket) => {
      socket.on(
        'message',
        fl.message(socket, (data) => {
          throw (THROWN[String(data)] as () => unknown)();
        }),
      );
    }),
  );
  server = createServer();
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends `text` on a new connection; the frame the server answers with, and whether it stayed open. */
async function answerTo(text: string): Promise<{ frame: string; open: boolean }> {
  const client = new WebSocket(`ws://127.0.0.1:${port}/`);
  await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  const frame = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
  client.send(text);
  const result = { frame: await frame, open: false };
  await new Promise((resolve) => setTimeout(resolve, 20));
  result.open = client.readyState === WebSocket.OPEN;
  client.terminate();
  return result;
}

describe('retry_after in error frames', () => {
  it.each([
    ['a rate-limiter-flexible rejection (1.5 s)', 'limiter', 2],
    ['a fault made with retryAfter: 30', 'made', 30],
    ['a RateLimitError with retryAfter: 7', 'named', 7],
  ])('%s: RATE_LIMITED with retry_after, the socket open', async (_label, text, seconds) => {
    const { frame, open } = await answerTo(text);
    const body = JSON.parse(frame) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ status: 429, code: 'RATE_LIMITED', retry_after: seconds });
    expect(isUuid(body.error.request_id)).toBe(true);
    expect(Object.keys(body.error)).toEqual(['status', 'code', 'message', 'request_id', 'retry_after']);
    expect(frame).not.toContain('hunter2');
    expect(open).toBe(true);
    // The calling side reads it.
    expect(decodeWsFault(frame)).toMatchObject({ code: 'RATE_LIMITED', retryAfter: seconds, retryable: true });
  });

  it.each([
    ['RATE_LIMITED without a delay', 'bare'],
    ['VALIDATION_FAILED', 'validation'],
  ])('%s: no retry_after member', async (_label, text) => {
    const { frame } = await answerTo(text);
    const body = JSON.parse(frame) as { error: Record<string, unknown> };
    expect(body.error).not.toHaveProperty('retry_after');
    expect(decodeWsFault(frame)?.retryAfter).toBeUndefined();
  });
});
