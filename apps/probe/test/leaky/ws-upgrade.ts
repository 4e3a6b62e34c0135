/**
 * A leaky ws server whose leak is in its HTTP answer to a bad handshake: an invalid
 * Sec-WebSocket-Key gets a 400 with the upgrade handler's stack. Valid upgrades are accepted and
 * every message gets a clean error frame, so only the handshake answer leaks.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { type LeakyTarget, portOf } from './planted.js';

const KEY = /^[A-Za-z0-9+/]{22}==$/;

/** The ws target, given as ws://host:port/live. */
export async function upgradeLeakWs(): Promise<LeakyTarget> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    if (!KEY.test(String(req.headers['sec-websocket-key'] ?? ''))) {
      const body = 'Error: invalid key\n    at Server.onUpgrade (/srv/live/src/upgrade.js:14:11)';
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.on('message', () => ws.send('{"error":{"code":"VALIDATION_FAILED"}}'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'ws server leaking in its handshake answer',
    url: `ws://127.0.0.1:${portOf(server)}/live`,
    planted: [{ rule: 'leak/stack-node', where: 'GET /live' }],
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
