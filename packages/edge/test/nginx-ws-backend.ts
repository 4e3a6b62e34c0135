/**
 * A real `ws` service behind `@faultline/ws` (noServer, `fl.upgrade`, the gateway as its trusted
 * proxy) for the nginx WebSocket tests, and real `ws` clients. Each connection's id, as the
 * adapter resolved it, is kept by the request's `X-Probe` header.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createReporter, FaultError } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { createWsAdapter } from '@faultline/ws';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';

/** An HTML 500 page with a stack, as a framework's debug mode writes it. */
export const STACK_PAGE =
  '<html><body><pre>TypeError: x is undefined\n    at Orders.insert (/srv/app/orders.js:27:3)</pre></body></html>';

/** Headers naming the backend's product, added to every 101 it sends. */
export const LEAKY_101_HEADERS = ['X-Powered-By: Express', 'Server: Node.js/20.11.1', 'Via: 1.1 orders-svc.internal'];

/** A started ws service. */
export interface WsBackend {
  readonly port: number;
  /** The connection id the adapter resolved, by the upgrade's `X-Probe` header. */
  readonly ids: Map<string, string>;
  /** The adapter's log records. */
  readonly records: readonly Record<string, unknown>[];
  /** Resolves with the close code once the server side of the connection probed `probe` closed. */
  serverClosed(probe: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the service: `/api/html-500` refuses the upgrade with {@link STACK_PAGE} (raw, before
 * the adapter), `/api/silent` is never answered, `/api/refuse` is refused by the adapter's check (401 problem JSON with the id);
 * any other path is a WebSocket (`/api/greet` sends `welcome` first): `validation` answers an error frame, `fatal` closes with
 * `1011 INTERNAL <id>`, anything else is echoed (text as text, binary as binary).
 */
export async function startWsBackend(): Promise<WsBackend> {
  const { logger, records } = memoryLog();
  const fl = createWsAdapter({
    reporter: createReporter({ logger, flushOnExit: false }),
    trustedProxies: ['127.0.0.1'],
  });
  const ids = new Map<string, string>();
  const closes = new Map<string, Promise<number>>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 << 20 });
  wss.on('headers', (headers) => headers.push(...LEAKY_101_HEADERS));
  wss.on(
    'connection',
    fl.connection((socket, context) => {
      const probe = String(context.request.headers['x-probe']);
      ids.set(probe, context.connectionId);
      closes.set(probe, new Promise((resolve) => socket.once('close', (code) => resolve(code))));
      if (context.request.url === '/api/greet') socket.send('welcome');
      socket.on(
        'message',
        fl.message(socket, (data, isBinary) => {
          if (!isBinary && String(data) === 'validation') throw FaultError.of('validation');
          if (!isBinary && String(data) === 'fatal') throw new Error('orders_pkey violated at /srv/app/orders.js');
          socket.send(data, { binary: isBinary });
        }),
      );
    }),
  );
  const upgrade = fl.upgrade(wss, (request: IncomingMessage) => {
    if (request.url === '/api/refuse') throw FaultError.of('unauthenticated');
  });
  const held = new Set<Duplex>();
  const server: Server = createServer((_request, response) => response.writeHead(426).end());
  server.on('upgrade', (request, socket, head) => {
    if (request.url === '/api/silent') return void held.add(socket); // never answers the handshake
    if (request.url !== '/api/html-500') return upgrade(request, socket, head);
    socket.end(
      `HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: ${STACK_PAGE.length}\r\n\r\n${STACK_PAGE}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    ids,
    records,
    serverClosed: (probe) => closes.get(probe) ?? Promise.reject(new Error(`no connection ${probe}`)),
    async stop() {
      for (const client of wss.clients) client.terminate();
      for (const socket of held) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a client's handshake ended with: the open socket and its 101's headers, or the refusal. */
export type Handshake =
  | {
      readonly socket: WebSocket;
      readonly headers: Record<string, string | string[] | undefined>;
      /** The first message, listened for before the socket opened. */
      readonly first: Promise<{ data: Buffer; isBinary: boolean }>;
    }
  | {
      readonly status: number;
      readonly headers: Record<string, string | string[] | undefined>;
      readonly body: string;
    };

/** Opens a ws client to `url` through the gateway and resolves once it is open or refused. */
export function openWs(url: string, options: ClientOptions = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    let headers: Record<string, string | string[] | undefined> = {};
    socket.once('upgrade', (response) => {
      headers = response.headers;
    });
    const first = nextMessage(socket);
    socket.once('open', () => resolve({ socket, headers, first }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    socket.once('error', reject);
  });
}

/** The next message on `socket`, with whether it was binary. */
export function nextMessage(socket: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) =>
    socket.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary })),
  );
}

/** Resolves with the close code and reason once `socket` closed. */
export function closedWith(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}
