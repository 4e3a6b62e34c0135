/**
 * A leaky ws server whose leaks are where the other ws targets have none, one a path: the fields of
 * its 101 answer (`/ws`), the HTTP answer refusing a valid handshake (`/live`: an invalid key gets a
 * clean 400), a ping payload (`/socket`), an unsolicited pong (`/cable`), and the reply to a second
 * bad message on a connection (`/graphql`). Every message gets a clean error frame besides.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

const KEY = /^[A-Za-z0-9+/]{22}==$/;
const CLEAN_FRAME = '{"error":{"code":"VALIDATION_FAILED"}}';

/** What the target plants, a path each (each path is probed on its own: the target URL is its origin). */
export const RED_TEAM_WS_PLANTED: readonly Planted[] = [
  { rule: 'leak/private-ip', where: '/ws', severity: 'medium' },
  { rule: 'leak/stack-node', where: '/live', severity: 'high' },
  { rule: 'leak/errno', where: '/socket', severity: 'medium' },
  { rule: 'leak/orm', where: '/cable', severity: 'high' },
  { rule: 'leak/stack-python', where: '/graphql', severity: 'high' },
];

/** The ws target. */
export async function redTeamWs(): Promise<LeakyTarget> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers, req) => {
    if (req.url === '/ws') headers.push('X-Served-By: chat-3.prod.svc.cluster.local:8443');
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    if (!KEY.test(String(req.headers['sec-websocket-key'] ?? ''))) {
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    if (req.url === '/live') {
      const body = 'Error: no session\n    at authorize (/srv/live/src/auth.js:9:11)';
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      let messages = 0;
      ws.on('message', () => {
        messages += 1;
        if (req.url === '/socket') ws.ping('connect ECONNREFUSED 10.9.8.7:6379');
        if (req.url === '/cable') ws.pong('SequelizeConnectionError: connect timeout');
        if (req.url === '/graphql' && messages === 2)
          ws.send('Traceback (most recent call last):\n  File "/srv/chat/consumers.py", line 31, in receive');
        else ws.send(CLEAN_FRAME);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'red team ws',
    url: `ws://127.0.0.1:${portOf(server)}`,
    planted: RED_TEAM_WS_PLANTED,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
