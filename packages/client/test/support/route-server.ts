/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) answering from a table of routes, for the
 * tests of bodies that never end: it remembers, per path, whether the connection closed before
 * the body was all written (the client stopped reading); and a bound on how long a test waits.
 */
import { createServer, type ServerResponse } from 'node:http';

/** Writes the answer of one route. */
export type RouteHandler = (response: ServerResponse) => void;

/** A running route server. */
export interface RouteServer {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Resolves with true once the connection of `path`'s latest request closed before its body ended. */
  cut(path: string): Promise<boolean>;
  /** Stops the server and every connection it holds. */
  close(): void;
}

/** Starts a server answering `routes` (404 elsewhere). */
export async function startRouteServer(routes: Readonly<Record<string, RouteHandler>>): Promise<RouteServer> {
  const cut = new Map<string, Promise<boolean>>();
  const server = createServer((request, response) => {
    const url = request.url ?? '';
    cut.set(url, new Promise((resolve) => response.on('close', () => resolve(!response.writableFinished))));
    const route = routes[url];
    if (route === undefined) response.writeHead(404).end();
    else route(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    cut: (path) => cut.get(path) ?? Promise.reject(new Error(`no request for ${path}`)),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** `promise`, or a rejection after `ms` (what the test waits for hung). */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
