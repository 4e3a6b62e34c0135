/**
 * The demo's dependencies, real and local: a "billing" address nothing listens on (connection
 * refused) and a "reports" server that accepts and never answers (timeouts). Loopback only.
 */
import { createServer, type Server } from 'node:net';

/** Local upstream addresses and a way to stop them. */
export interface Upstreams {
  readonly billingUrl: string;
  readonly reportsUrl: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts the silent reports server and finds a closed port for billing. */
export async function startUpstreams(): Promise<Upstreams> {
  const probe = createServer();
  const closedPort = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const sockets = new Set<import('node:net').Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const reportsPort = await listen(silent);
  return {
    billingUrl: `http://127.0.0.1:${closedPort}/invoices`,
    reportsUrl: `http://127.0.0.1:${reportsPort}/reports`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    },
  };
}
