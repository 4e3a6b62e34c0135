/**
 * The services behind a generated gateway in the behind-gateway tests: one Fastify server (HTTP
 * routes under `/api/`, a WebSocket endpoint on `/ws`) and one grpc-js server (`orders.v1.Orders`),
 * either both Faultline's or both not (leaking SQL, stacks and hosts by hand).
 */
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { addFaultlineService } from '@faultline/grpc';
import { freePort } from '@faultline/testkit';
import { createWsAdapter } from '@faultline/ws';
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { rawMethod } from './leaky/raw-method.js';

export { freePort };

/** The gRPC service the gateways route. */
export const SERVICE = 'orders.v1.Orders';
/** Its methods as the probe is told them (`--grpc-method`). */
export const GRPC_METHODS = [`/${SERVICE}/Get`, `/${SERVICE}/Create`];
/** The SQL the non-Faultline gRPC handler throws. */
export const GRPC_SQL = 'insert into orders failed: duplicate key value violates unique constraint "orders_ref_key"';
/** The stack the non-Faultline WebSocket server closes with (its close reason, under 123 bytes). */
export const WS_STACK = 'TypeError: x is undefined\n    at Orders.insert (/srv/app/orders.js:27:3)';

/** The headers the non-Faultline HTTP service adds to every answer (versions, an internal host). */
export const PRODUCT_HEADERS = {
  'x-powered-by': 'Express 4.18.2',
  server: 'Apache/2.4.41 (Ubuntu)',
  via: '1.1 orders-svc:8080',
};

const ORDERS = { get: rawMethod(`/${SERVICE}/Get`), create: rawMethod(`/${SERVICE}/Create`) };

/** The backends: the HTTP/WebSocket port and the gRPC port, and how to stop each. */
export interface Backends {
  readonly http: number;
  readonly grpc: number;
  /** Stops the gRPC server (the gateway keeps answering its calls). */
  stopGrpc(): Promise<void>;
  /** Stops the HTTP server. */
  stopHttp(): Promise<void>;
  stop(): Promise<void>;
}

async function bind(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
}

function sqlError(): Error {
  return Object.assign(new Error(GRPC_SQL), { code: '23505' });
}

/** The HTTP routes: `GET /api/orders/:id` answers a numeric id, `POST /api/orders` throws a database error. */
function routes(app: FastifyInstance): void {
  const id = { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,9}$' } } };
  app.get('/api/orders/:id', { schema: { params: id } }, async () => ({ ok: true }));
  app.post('/api/orders', async () => {
    throw Object.assign(new Error('SELECT * FROM orders_private WHERE ref = $1 -- at /srv/app/db.js:12'), {
      code: '42P01',
    });
  });
}

/**
 * Starts both servers; `faultlineOnes` puts `@faultline/fastify`, `@faultline/grpc` and
 * `@faultline/ws` in them (the gateway trusted for ids), else they leak by hand.
 */
export async function startBackends(faultlineOnes: boolean): Promise<Backends> {
  const app = Fastify(
    faultlineOnes ? { ...faultlineServerOptions({ trustedProxies: ['127.0.0.1'] }), logger: false } : { logger: false },
  );
  if (faultlineOnes) await app.register(faultline, { reporter: false });
  // Headers naming the product on every answer: the gateways remove them.
  if (!faultlineOnes)
    app.addHook('onSend', async (_request, reply) => {
      for (const [name, value] of Object.entries(PRODUCT_HEADERS)) reply.header(name, value);
    });
  routes(app as unknown as FastifyInstance);
  const wss = new WebSocketServer({ noServer: true });
  if (faultlineOnes) {
    const fl = createWsAdapter({ reporter: false, trustedProxies: ['127.0.0.1'] });
    wss.on(
      'connection',
      fl.connection((socket) => {
        socket.on(
          'message',
          fl.message(socket, (data, isBinary) => {
            if (isBinary) throw sqlError();
            socket.send(JSON.stringify(JSON.parse(String(data))));
          }),
        );
      }),
    );
    const upgrade = fl.upgrade(wss);
    app.server.on('upgrade', (request, socket, head) =>
      request.url === '/ws' ? upgrade(request, socket, head) : socket.destroy(),
    );
  } else {
    // Any message ends the session with a stack in the close reason.
    wss.on('connection', (socket) => {
      socket.on('error', () => undefined); // ws refuses invalid UTF-8 itself (1007)
      socket.on('message', () => socket.close(1011, WS_STACK));
    });
    app.server.on('upgrade', (request, socket, head) =>
      request.url === '/ws'
        ? wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws))
        : socket.destroy(),
    );
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const grpc = new Server();
  const handlers = {
    get: (_call: unknown, callback: (e: Error | null, v?: Buffer) => void) =>
      callback(null, Buffer.from('{"ok":true}')),
    create: () => {
      throw sqlError();
    },
  } as unknown as UntypedServiceImplementation;
  if (faultlineOnes) addFaultlineService(grpc, ORDERS, handlers, { reporter: false, trustedProxies: ['127.0.0.1'] });
  else
    grpc.addService(ORDERS, {
      ...handlers,
      // A plain grpc-js handler whose error reaches the callback (a throw would be its own generic UNKNOWN).
      create: (_call: unknown, callback: (e: Error) => void) => callback(sqlError()),
    } as unknown as UntypedServiceImplementation);
  const grpcPort = await bind(grpc);
  let grpcStopped = false;
  let httpStopped = false;
  const stopGrpc = async () => {
    if (!grpcStopped) grpc.forceShutdown();
    grpcStopped = true;
  };
  const stopHttp = async () => {
    if (httpStopped) return;
    httpStopped = true;
    for (const client of wss.clients) client.terminate();
    await app.close();
  };
  return {
    http: (app.server.address() as { port: number }).port,
    grpc: grpcPort,
    stopGrpc,
    stopHttp,
    stop: async () => {
      await stopGrpc();
      await stopHttp();
    },
  };
}
