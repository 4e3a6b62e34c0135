/**
 * Hostile gRPC backends for the red-team tests: a real HTTP/2 (h2c) server from `node:http2` that
 * misbehaves by method (`/orders.v1.Orders/<Method>`), and raw TCP servers that are no HTTP/2
 * server at all. Every request's `x-request-id` is recorded.
 */
import { createServer as createH2Server, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { startRawBackend } from './raw-backend.js';

/** The leaky headers a hostile backend sends, in its headers and its trailers alike. */
export const LEAKY = {
  server: 'grpc-node/1.2.3 orders-db-01.internal',
  'x-powered-by': 'Express 4.18.2',
  via: '1.1 proxy-7.corp.internal:3128',
};

/** A message (gRPC frame, uncompressed) of `payload`. */
export function grpcFrame(payload: Buffer | string): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

type Behaviour = (stream: ServerHttp2Stream, headers: Record<string, unknown>) => void;

/** What each method of the hostile backend does. */
const BEHAVIOURS: Record<string, Behaviour> = {
  // A success, echoing what the backend received (its id among it).
  Echo: (stream, headers) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(grpcFrame(JSON.stringify(headers)));
  },
  // A status naming SQL and hosts, with the leaky headers in headers and trailers.
  Leak: (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...LEAKY }, { waitForTrailers: true });
    stream.on('wantTrailers', () =>
      stream.sendTrailers({
        'grpc-status': '13',
        'grpc-message': 'SELECT * FROM orders_private failed on db-primary.internal:5432',
        ...LEAKY,
      }),
    );
    stream.end();
  },
  // Trailers-only with a status but no content type.
  NoType: (stream) => {
    stream.respond({ ':status': 200, 'grpc-status': '5', 'grpc-message': 'not found' }, { endStream: true });
  },
  // Headers, then silence.
  Hang: (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
  },
  // No answer at all.
  Silent: () => undefined,
  // An interim 103 with leaky headers, then a success.
  Interim: (stream) => {
    stream.additionalHeaders({ ':status': 103, link: '</internal/debug>; rel=preload', ...LEAKY });
    BEHAVIOURS.Echo?.(stream, {});
  },
  // A header of 64 KiB.
  Huge: (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-big': 'a'.repeat(65_536) });
    stream.end();
  },
  // An HTTP 403 HTML page and a redirect to an internal host (a proxy or framework in the way).
  Forbidden: (stream) => {
    stream.respond({ ':status': 403, 'content-type': 'text/html' });
    stream.end('<html><pre>Forbidden: /srv/app/orders.js at Object.handler</pre></html>');
  },
  Redirect: (stream) => {
    stream.respond({
      ':status': 302,
      location: 'http://orders-db-01.internal:8080/login',
      'content-type': 'text/html',
    });
    stream.end('<html><pre>/srv/app/orders.js</pre></html>');
  },
  // An HTTP 500 HTML page with a stack (a framework's error page, not gRPC).
  Html: (stream) => {
    stream.respond({ ':status': 500, 'content-type': 'text/html', ...LEAKY });
    stream.end('<html><pre>Error: boom\n    at Object.handler (/srv/app/orders.js:12:9)</pre></html>');
  },
};

/** A running backend: its port, the ids it received, and a stop. */
export interface HostileBackend {
  readonly port: number;
  readonly seen: string[];
  stop(): Promise<void>;
}

/** Starts the hostile HTTP/2 backend on 127.0.0.1 (a free port). */
export async function startHostileBackend(): Promise<HostileBackend> {
  const seen: string[] = [];
  const sessions = new Set<{ destroy(): void }>();
  const server: Http2Server = createH2Server({ maxHeaderListPairs: 4096, maxSendHeaderBlockLength: 1 << 20 });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    seen.push(String(headers['x-request-id']));
    const method = String(headers[':path']).split('/')[2] ?? '';
    const behaviour = BEHAVIOURS[method] ?? BEHAVIOURS.Echo;
    // The request's body is read (and dropped) so that flow control never stalls it.
    stream.resume();
    behaviour?.(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    seen,
    async stop() {
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Starts a backend that is not HTTP/2: it answers any bytes with an HTTP/1.1 500 HTML stack page. */
export function startHttp1Backend() {
  return startRawBackend((_head: string, socket: Socket) => {
    const page = '<html><pre>Error: boom\n    at Object.handler (/srv/app/orders.js:12:9)</pre></html>';
    socket.end(
      `HTTP/1.1 500 Internal Server Error\r\nServer: Apache/2.4.41 (Ubuntu)\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\n\r\n${page}`,
    );
  });
}
