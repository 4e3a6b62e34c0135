/**
 * A WebSocketServer created with `{ server }` (or `{ port }`) adds its own 'upgrade' listener,
 * which completes every handshake itself. `fl.upgrade(wss, check)` beside it let every client in
 * before the check ran, then wrote its HTTP answer into the WebSocket stream: it is refused when
 * wired instead. `fl.connection` alone still guards the listeners the application adds to its
 * socket. Real HTTP server and ws client on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { FaultError } from '@faultline/core';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const servers: Server[] = [];
const wsServers: WebSocketServer[] = [];
afterEach(async () => {
  for (const wss of wsServers.splice(0)) {
    for (const client of wss.clients) client.terminate();
    wss.close();
  }
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('fl.upgrade and a WebSocketServer with a server of its own', () => {
  it('is refused when wired, not left to let an unauthenticated client in', async () => {
    const fl = createWsAdapter({ reporter: false });
    const server = createServer();
    servers.push(server);
    const wss = new WebSocketServer({ server });
    wsServers.push(wss);
    wss.on(
      'connection',
      fl.connection((socket) => socket.send('welcome')),
    );
    const wire = () =>
      server.on(
        'upgrade',
        fl.upgrade(wss, () => {
          throw FaultError.of('unauthenticated');
        }),
      );
    let wired = true;
    try {
      wire();
    } catch (error) {
      wired = false;
      expect(error).toBeInstanceOf(TypeError);
      expect(String(error)).toMatch(/noServer/);
    }
    // Had it been wired: what a client without credentials would have got.
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    client.on('error', () => {});
    const welcomed = await new Promise<boolean>((resolve) => {
      client.once('message', (data) => resolve(String(data) === 'welcome'));
      client.once('close', () => resolve(false));
    });
    expect({ wired, welcomed: welcomed && wired }).toEqual({ wired: false, welcomed: false });
    client.terminate();
  });

  it("guards the socket's own listeners under fl.connection alone: a throw closes 1011, no crash", async () => {
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    try {
      const fl = createWsAdapter({ reporter: false });
      const server = createServer();
      servers.push(server);
      const wss = new WebSocketServer({ server });
      wsServers.push(wss);
      wss.on(
        'connection',
        fl.connection((socket) =>
          socket.on('message', () => {
            throw new Error('a listener added without fl.message');
          }),
        ),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      const client = new WebSocket(`ws://127.0.0.1:${port}/`);
      await new Promise((resolve) => client.once('open', resolve));
      client.send('hi');
      const [code, reason] = await new Promise<[number, string]>((resolve) =>
        client.once('close', (c, r) => resolve([c, String(r)])),
      );
      expect([code, reason.split(' ')[0]]).toEqual([1011, 'INTERNAL']);
      expect(crashes).toEqual([]);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });

  it('is refused for a { port } server too, and accepted for { noServer: true }', () => {
    const fl = createWsAdapter({ reporter: false });
    const own = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    wsServers.push(own);
    expect(() => fl.upgrade(own)).toThrow(TypeError);
    const detached = new WebSocketServer({ noServer: true });
    wsServers.push(detached);
    expect(() => fl.upgrade(detached)).not.toThrow();
  });
});
