/**
 * The peer address behind a connection's incoming id (issue 21): read only when `trustedProxies`
 * makes it matter. Reading `socket.remoteAddress` makes Node keep a `{ address, family, port }`
 * object on the socket for the connection's whole life, which then survives every scavenge.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type ConnectionContext, createWsAdapter, type WsAdapterOptions } from '../src/index.js';

const INCOMING = '6a1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f61';
let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** Opens one connection with `x-request-id` to an adapter made with `options`; resolves with what the handler saw. */
async function connect(options: WsAdapterOptions): Promise<{ context: ConnectionContext; peername: unknown }> {
  const { logger } = memoryLog();
  const adapter = createWsAdapter({ ...options, reporter: createReporter({ logger, flushOnExit: false }) });
  const wss = new WebSocketServer({ noServer: true });
  const seen = new Promise<{ context: ConnectionContext; peername: unknown }>((resolve) => {
    wss.on(
      'connection',
      adapter.connection((socket, context) => {
        // Node's cache of the peer address, filled the first time `remoteAddress` is read.
        const raw = (socket as unknown as { _socket: Socket & { _peername?: unknown } })._socket;
        resolve({ context, peername: raw._peername });
        socket.close();
      }),
    );
  });
  server = createServer();
  server.on('upgrade', adapter.upgrade(wss));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { 'x-request-id': INCOMING } });
  client.on('error', () => undefined);
  const result = await seen;
  client.terminate();
  return result;
}

describe('the peer address of a connection', () => {
  it('is not read without trustedProxies: the incoming id is kept from any peer', async () => {
    const { context, peername } = await connect({});
    expect(context.connectionId).toBe(INCOMING);
    expect(peername).toBeUndefined();
  });

  it('is read with trustedProxies: an id from a trusted peer is kept', async () => {
    const { context, peername } = await connect({ trustedProxies: ['127.0.0.1'] });
    expect(context.connectionId).toBe(INCOMING);
    expect(context.refusedId).toBeUndefined();
    expect(peername).toMatchObject({ address: '127.0.0.1' });
  });

  it('is read with trustedProxies: an id from another peer is refused and replaced', async () => {
    const { context } = await connect({ trustedProxies: ['10.0.0.0/8'] });
    expect(context.connectionId).not.toBe(INCOMING);
    expect(context.connectionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(context.refusedId).toBe(INCOMING);
  });
});
