/**
 * A leaky ws server behind node:http: /ws answers a stack to a malformed message, /cable closes
 * with an internal address in the reason; any other path refuses the upgrade.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { type LeakyTarget, portOf } from './planted.js';

/** The ws target (given as ws://host:port, path `/`, which is not a WebSocket endpoint). */
export async function chatWs(): Promise<LeakyTarget> {
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/ws' && req.url !== '/cable') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined); // invalid frames end the connection, nothing more
      ws.on('message', (data) => {
        if (req.url === '/cable') return ws.close(1011, 'redis 10.20.30.40:6379 unavailable');
        try {
          JSON.parse(String(data));
          ws.send('{"ok":true}');
        } catch {
          ws.send(
            JSON.stringify({
              error:
                'SyntaxError: Unexpected end of JSON input\n    at WebSocket.onMessage (/srv/chat/src/socket.js:31:22)',
            }),
          );
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'ws server',
    url: `ws://127.0.0.1:${portOf(server)}`,
    planted: [
      { rule: 'leak/stack-node', where: '/ws' },
      { rule: 'leak/private-ip', where: '/cable' },
    ],
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
