/**
 * A leaky ws server speaking a binary protocol: a binary message is decoded (a length read as a
 * MessagePack or protobuf decoder reads one), and when it cannot be, the decoder's stack is sent
 * back; a text message gets a clean error frame. Only a binary frame of bytes that do not decode
 * reaches the leak.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { type LeakyTarget, portOf } from './planted.js';

const CLEAN_FRAME = '{"error":{"code":"VALIDATION_FAILED"}}';

/** Reads a message framed by its 32-bit length: throws (RangeError) when the bytes are fewer. */
function decode(bytes: Buffer): Buffer {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const length = view.getUint32(0);
  view.getUint8(4 + length - 1);
  return bytes.subarray(4, 4 + length);
}

/** The ws target, given as ws://host:port/rpc. */
export async function binaryWs(): Promise<LeakyTarget> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server, path: '/rpc' });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (!binary) return ws.send(CLEAN_FRAME);
      try {
        decode(data);
        ws.send(CLEAN_FRAME);
      } catch (error) {
        ws.send(JSON.stringify({ error: String((error as Error).stack) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'ws server leaking its binary decoder stack',
    url: `ws://127.0.0.1:${portOf(server)}/rpc`,
    planted: [{ rule: 'leak/stack-node', where: '/rpc', severity: 'high' }],
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
