/**
 * A leaky h2c server (node:http2's core API) whose leaks are in HTTP/2's own frames: a POST with a
 * malformed body under /goaway ends the session with a GOAWAY whose debug data holds a stack and a
 * connection string; /rst answers leaky header fields and then resets the stream (RST_STREAM)
 * before any body. Every other request gets a clean problem JSON.
 */
import { constants, createServer, type ServerHttp2Stream } from 'node:http2';
import { type LeakyTarget, portOf } from './planted.js';

const clean = (stream: ServerHttp2Stream) => {
  stream.respond({
    ':status': 404,
    'content-type': 'application/problem+json',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'x-request-id': crypto.randomUUID(),
  });
  stream.end('{"type":"about:blank","title":"Not Found","status":404}');
};

/** The target, given with `--http2` and the hints `/goaway` and `/rst`. */
export async function goawayH2(): Promise<LeakyTarget> {
  const server = createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const path = String(headers[':path'] ?? '');
    const method = String(headers[':method'] ?? '');
    if (path === '/goaway' && method === 'POST') {
      let body = '';
      stream.on('data', (chunk: Buffer) => {
        body += String(chunk);
      });
      stream.on('end', () => {
        try {
          JSON.parse(body);
          clean(stream);
        } catch {
          const debug = Buffer.from(
            'Error: relation lookup failed\n    at query (/srv/app/db.js:12:7)\n    postgres://app:hunter22@10.1.2.3:5432/orders',
          );
          stream.session?.goaway(constants.NGHTTP2_INTERNAL_ERROR, stream.id, debug);
          stream.session?.destroy();
        }
      });
      return;
    }
    if (path === '/rst') {
      stream.respond({ ':status': 500, 'x-debug': 'TypeError: x is undefined at handler (/srv/app/rst.js:4:11)' });
      // The reset only once the fields and a first chunk are on the wire: a reset queued with the
      // fields may go first, and then no client ever reads them (nothing leaked; the test flaked).
      stream.write('{"partial":', () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
      return;
    }
    clean(stream);
  });
  server.on('sessionError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'h2c server, leaks in GOAWAY debug data and in the fields before a RST_STREAM',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: [
      { rule: 'leak/stack-node', where: '/goaway' },
      { rule: 'leak/private-ip', where: '/goaway' },
      { rule: 'leak/stack-node', where: '/rst' },
    ],
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
