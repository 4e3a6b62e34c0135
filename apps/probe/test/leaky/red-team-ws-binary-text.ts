/**
 * A leaky ws server whose error frames are binary messages holding text: UTF-16 (a .NET service's
 * `Encoding.Unicode`), gzip and zlib-compressed JSON (a server compressing its own messages). Each
 * message the probe sends gets the three frames; a reader decoding them sees a driver error and a stack.
 */
import { createServer } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { WebSocketServer } from 'ws';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

/** The leaks, one frame each: the same path, a rule of its own. */
export const WS_BINARY_TEXT_LEAKS: readonly (Planted & { readonly frame: Buffer })[] = [
  {
    where: '/events',
    rule: 'leak/driver-pg',
    severity: 'high',
    frame: Buffer.from('{"error":"relation \\"events\\" does not exist"}', 'utf16le'),
  },
  {
    where: '/events',
    rule: 'leak/stack-node',
    severity: 'high',
    frame: gzipSync('{"error":"TypeError: x\\n    at onEvent (/srv/api/src/events.js:3:9)"}'),
  },
  {
    where: '/events',
    rule: 'leak/driver-mysql',
    severity: 'high',
    frame: deflateSync('{"error":"Table \'shop.events\' doesn\'t exist"}'),
  },
];

/** The ws target, given as ws://host:port/events. */
export async function binaryTextWs(): Promise<LeakyTarget> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server, path: '/events' });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', () => {
      for (const leak of WS_BINARY_TEXT_LEAKS) ws.send(leak.frame, { binary: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'ws binary text',
    url: `ws://127.0.0.1:${portOf(server)}/events`,
    planted: WS_BINARY_TEXT_LEAKS.map(({ frame: _frame, ...planted }) => planted),
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
