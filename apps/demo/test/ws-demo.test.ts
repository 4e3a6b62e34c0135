/** The demo's /ws endpoint on the Fastify HTTP server: error frames, close frames, refused upgrades. */
import { createReporter, isUuid } from '@faultline/core';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket, type WebSocketServer } from 'ws';
import { buildHttpApp } from '../src/http-app.js';
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
