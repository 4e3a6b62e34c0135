/**
 * A leaky ws server: on /burst every message gets 24 small presence frames and then a frame with a
 * stack; on /socket every connection gets a 2 MB message (over the 1 MB a client reads).
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { type LeakyTarget, portOf } from './planted.js';

/** The ws target, given as ws://host:port/burst (/socket is found among the common ws paths). */
export async function burstWs(): Promise<LeakyTarget> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    if (req.url !== '/burst' && req.url !== '/socket') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      if (req.url === '/socket') {
        ws.send('y'.repeat(2 * 1024 * 1024));
        return;
      }
      ws.on('message', () => {
        for (let i = 0; i < 24; i += 1) ws.send(JSON.stringify({ presence: { user: i, online: true } }));
        ws.send(JSON.stringify({ error: 'TypeError: x is undefined\n    at onMessage (/srv/chat/src/burst.js:7:3)' }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'ws server, a leak after a burst of frames and an oversized message',
    url: `ws://127.0.0.1:${portOf(server)}/burst`,
    planted: [
      { rule: 'leak/stack-node', where: '/burst' },
      { rule: 'protocol/unparseable', where: '/socket' },
    ],
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
