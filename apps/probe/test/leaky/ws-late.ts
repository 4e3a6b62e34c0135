/**
 * A leaky ws server whose error comes late: every connection gets a clean welcome at once, and
 * every message a stack 500 ms later (/late-500) or 1.5 s later (/late-1500), after the 300 ms of
 * quiet that once ended a session.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { type LeakyTarget, portOf } from './planted.js';

const DELAYS: Readonly<Record<string, number>> = { '/late-500': 500, '/late-1500': 1500 };

/** The ws target (ws://host:port: each path is probed on its own, given as the target's path). */
export async function lateWs(): Promise<LeakyTarget> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });
  const timers = new Set<NodeJS.Timeout>();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const delay = DELAYS[req.url ?? ''];
    if (delay === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.send('{"type":"welcome","motd":"hello"}');
      ws.on('message', () => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          ws.send(
            JSON.stringify({ error: 'TypeError: x is undefined\n    at onMessage (/srv/chat/src/late.js:9:14)' }),
          );
        }, delay);
        timers.add(timer);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'ws server, a clean welcome and a stack sent 0.5 s and 1.5 s after a bad message',
    url: `ws://127.0.0.1:${portOf(server)}`,
    planted: [
      { rule: 'leak/stack-node', where: '/late-500' },
      { rule: 'leak/stack-node', where: '/late-1500' },
    ],
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
