import { createServer, type Server } from 'node:http';
import { createReporter, FaultError } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

/** Messages and what the handler does with them. */
function handle(text: string): unknown {
  switch (text) {
    case 'validation':
      throw FaultError.of('validation', { fieldViolations: [{ pointer: '/qty', detail: 'Is below the minimum.' }] });
    case 'conflict':
      throw Object.assign(new Error('duplicate key "orders_ref_key" hunter2'), { code: '23505', severity: 'ERROR' });
    case 'refused':
      throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 hunter2'), { code: 'ECONNREFUSED' });
    case 'async':
      return Promise.reject(new Error('async failure hunter2'));
    case 'string':
      throw 'thrown string hunter2';
    default:
      return `echo:${text}`;
  }
}

/** A real HTTP server on 127.0.0.1 with a WebSocket endpoint behind the adapter. */
export async function startWsServer(options: { maxPayload?: number } = {}) {
  const { logger, records } = memoryLog();
  const reporter = createReporter({ logger, flushOnExit: false });
  const adapter = createWsAdapter({ reporter, wwwAuthenticate: 'Bearer realm="ws"' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 1024 });
  wss.on(
    'connection',
    adapter.connection((socket, context) => {
      if (context.request.url === '/boom') throw new Error('connection setup failed hunter2');
      socket.on(
        'message',
        adapter.message(socket, async (data) => {
          const result = await handle(String(data));
          socket.send(String(result));
        }),
      );
    }),
  );
  const server: Server = createServer((_req, res) => res.end('ok'));
  server.on(
    'upgrade',
    adapter.upgrade(wss, (request) => {
      const auth = request.headers.authorization;
      if (auth === 'Bearer expired')
        throw Object.assign(new Error('jwt expired hunter2'), { name: 'TokenExpiredError' });
      if (auth === 'Bearer vault')
        throw Object.assign(new Error('vault login failed'), {
          status: 401,
          expose: true,
          headers: {
            'WWW-Authenticate':
              'Bearer realm="vault.internal.corp", error="invalid_token", error_description="eyJhunter2"',
          },
        });
      if (auth !== 'Bearer good') throw FaultError.of('unauthenticated');
    }),
  );
  server.on('clientError', adapter.clientError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    records,
    reporter,
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
