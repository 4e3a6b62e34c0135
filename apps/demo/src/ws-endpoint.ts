/**
 * The demo's WebSocket endpoint `/ws`, on the same HTTP server as Fastify: JSON messages
 * `{"action":"get","id":N}`, `{"action":"create",…}`, `{"action":"invoice"}`; a bad message gets
 * an error frame and the socket stays open, a server failure closes it with the taxonomy's code.
 * The upgrade needs `Authorization: Bearer demo` (or `?token=demo`); a refusal is problem JSON.
 * Behind a gateway, `ids.trustedProxies` names it: its `X-Request-ID` becomes the connection id.
 */
import type { Server } from 'node:http';
import { createReporter, FaultError, type Reporter } from '@faultline/core';
import { createWsAdapter, type WsAdapterOptions } from '@faultline/ws';
import { WebSocketServer } from 'ws';
import { errors } from './catalog.js';
import { OrdersRepository } from './orders.js';
import type { Upstreams } from './upstreams.js';

interface Command {
  readonly action?: unknown;
  readonly id?: unknown;
  readonly reference?: unknown;
  readonly quantity?: unknown;
}

function parse(data: unknown): Command {
  try {
    const value = JSON.parse(String(data)) as unknown;
    if (typeof value === 'object' && value !== null) return value as Command;
  } catch {
    // fall through
  }
  throw FaultError.of('validation', { message: 'ws message is not a JSON object' });
}

/** Attaches `/ws` to `server`; `ids` says whose incoming `X-Request-ID` is kept (default: any peer's). */
export function attachWebSocket(
  server: Server,
  upstreams: Upstreams,
  reporter: Reporter = createReporter(),
  ids: Pick<WsAdapterOptions, 'trustedProxies'> = {},
): WebSocketServer {
  const adapter = createWsAdapter({ ...ids, reporter, wwwAuthenticate: 'Bearer realm="orders-ws"' });
  const orders = new OrdersRepository();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  wss.on(
    'connection',
    adapter.connection((socket, context) => {
      socket.send(JSON.stringify({ type: 'welcome', connection_id: context.connectionId }));
      socket.on(
        'message',
        adapter.message(socket, async (data) => {
          const command = parse(data);
          switch (command.action) {
            case 'get': {
              const order = orders.find(Number(command.id));
              if (order === undefined) throw errors.ORDER_NOT_FOUND();
              socket.send(JSON.stringify({ type: 'order', order }));
              return;
            }
            case 'create':
              socket.send(
                JSON.stringify({
                  type: 'order',
                  order: orders.insert(String(command.reference), Number(command.quantity)),
                }),
              );
              return;
            case 'invoice':
              await fetch(upstreams.billingUrl); // real connection refused: fatal, closes with 1013
              return;
            default:
              throw FaultError.of('validation', {
                fieldViolations: [{ pointer: '/action', detail: 'Is not one of the allowed values.' }],
              });
          }
        }),
      );
    }),
  );
  server.on(
    'upgrade',
    adapter.upgrade(wss, (request) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== '/ws') throw FaultError.of('not_found');
      const token = request.headers.authorization ?? `Bearer ${url.searchParams.get('token') ?? ''}`;
      if (token !== 'Bearer demo') throw FaultError.of('unauthenticated');
    }),
  );
  return wss;
}
