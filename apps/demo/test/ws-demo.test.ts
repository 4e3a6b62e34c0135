/** The demo's /ws endpoint on the Fastify HTTP server: error frames, close frames, refused upgrades. */

import { connect } from 'node:net';
import { createReporter, isUuid } from '@faultline/core';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket, type WebSocketServer } from 'ws';
import { buildHttpApp } from '../src/http-app.js';
import { closeWebSocketClients } from '../src/shutdown.js';
import { startUpstreams, type Upstreams } from '../src/upstreams.js';
import { attachWebSocket } from '../src/ws-endpoint.js';

let upstreams: Upstreams;
let app: FastifyInstance;
let wss: WebSocketServer;
let port = 0;

beforeAll(async () => {
  upstreams = await startUpstreams();
  app = await buildHttpApp({ upstreams, logLevel: 'silent' });
  wss = attachWebSocket(
    app.server,
    upstreams,
    createReporter({ logger: pino({ level: 'silent' }), flushOnExit: false }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await app.close();
  await upstreams.close();
});

it('sends an error frame for a missing order, then closes 1013 on an upstream failure', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=demo`);
  const messages: string[] = [];
  ws.on('message', (m) => messages.push(String(m)));
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ action: 'get', id: 999 }));
  ws.send(JSON.stringify({ action: 'invoice' }));
  const { code, reason } = await new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (c, r) => resolve({ code: c, reason: String(r) })),
  );
  expect(JSON.parse(messages[0] ?? '{}').type).toBe('welcome');
  expect(JSON.parse(messages[1] ?? '{}').error).toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND' });
  expect(code).toBe(1013);
  expect(reason.startsWith('UNAVAILABLE ')).toBe(true);
  expect(isUuid(reason.split(' ')[1])).toBe(true);
});

it('refuses an unauthenticated upgrade with problem JSON while HTTP routes keep working', async () => {
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
  expect(status).toBe(401);
  expect((await fetch(`http://127.0.0.1:${port}/orders/1`)).status).toBe(200);
});

// Last in this file: closeWebSocketClients closes the server to new upgrades.
it('on shutdown, sends each client a close frame (1001), and cuts off a client that never answers it', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=demo`);
  await new Promise((resolve) => ws.once('open', resolve));
  // A client that completes the handshake, then reads nothing and answers no close frame.
  const silent = connect(port, '127.0.0.1');
  silent.write(
    'GET /ws?token=demo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  await new Promise((resolve) => silent.once('data', resolve));
  const silentEnded = new Promise((resolve) => silent.once('close', resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
  expect(wss.clients.size).toBe(2);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (c, r) => resolve({ code: c, reason: String(r) })),
  );
  await closeWebSocketClients(wss, 200);
  expect(await closed).toEqual({ code: 1001, reason: 'server shutting down' });
  await silentEnded;
  expect(wss.clients.size).toBe(0);
});
