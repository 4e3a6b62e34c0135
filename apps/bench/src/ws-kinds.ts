/**
 * The ws message kinds of the memory benches (`bench:memory`, `bench:ws-memory`): `ok` is echoed,
 * `fail` throws a pg error, `text` throws a string, anything else is unknown. The stock server
 * does not load core (its unknown kind throws a plain Error) and keeps the process alive the way a
 * service without Faultline does: a try/catch per message.
 */
import type { Server } from 'node:http';
import type { WsAdapterOptions } from '@faultline/ws';
import type { WebSocketServer } from 'ws';
import { pgError } from './pg-error.js';

/** Answers one message (`reply` sends a text frame) or throws what its kind says. */
export type KindHandler = (message: unknown, reply: (text: string) => void) => void;

/** The handler of the message kinds; `stock`: unknown kinds throw a plain Error, not a Faultline one. */
export async function kindHandler(stock: boolean): Promise<KindHandler> {
  const notFound = stock
    ? () => new Error('unknown message kind')
    : await import('@faultline/core').then(
        ({ FaultError }) =>
          () =>
            FaultError.of('not_found'),
      );
  return (message, reply) => {
    const kind = (message as { kind?: string } | null)?.kind;
    if (kind === 'ok') {
      reply('{"ok":true}');
      return;
    }
    if (kind === 'fail') throw pgError();
    if (kind === 'text') throw 'boom';
    throw notFound();
  };
}

/** Wires the stock server: a thrown string closes the connection, anything else is answered 409. */
export function wireStockWs(wss: WebSocketServer, handle: KindHandler): void {
  wss.on('connection', (socket) => {
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      try {
        handle(JSON.parse(String(data)), (text) => socket.send(text));
      } catch (error) {
        if (typeof error === 'string') socket.close(1011, 'INTERNAL');
        else socket.send('{"error":{"status":409,"code":"CONFLICT","message":"Request failed."}}');
      }
    });
  });
}

/** Wires `server` as the README shows: upgrades through the adapter, a connection id per socket, JSON messages. */
export async function wireFaultlineWs(server: Server, options: WsAdapterOptions, handle: KindHandler): Promise<void> {
  // Loaded here, not at the top: the memory bench's other servers must not load ws.
  const [{ createWsAdapter }, { WebSocketServer }] = await Promise.all([import('@faultline/ws'), import('ws')]);
  const adapter = createWsAdapter(options);
  const wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    adapter.connection((socket) => {
      socket.on(
        'message',
        adapter.json(socket, (message) => handle(message, (text) => socket.send(text))),
      );
    }),
  );
  server.on('upgrade', adapter.upgrade(wss));
}
