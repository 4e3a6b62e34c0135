/**
 * Targets that never give a readable answer: a TCP server that accepts and never writes, one that
 * drips a byte every 50 ms, one that answers `HTTP/1.1 500 X` and then header lines forever, and
 * one that answers some requests and never the others. Each is a real listener on 127.0.0.1.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** A running hostile server. */
export interface Hostile {
  readonly port: number;
  /** Connections still open from the server's side. */
  open(): number;
  close(): Promise<void>;
}

async function serve(onSocket: (socket: Socket) => void): Promise<Hostile> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    open: () => sockets.size,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Every `ms` while the socket is open, `write()`; stops when it closes. */
function every(socket: Socket, ms: number, write: () => void): void {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else write();
  }, ms);
  socket.on('close', () => clearInterval(timer));
}

/** Accepts every connection, reads (and drops) what comes, and never writes a byte. */
export function silentServer(): Promise<Hostile> {
  return serve((socket) => socket.resume());
}

/** Answers one byte of a valid-looking answer every 50 ms, forever. */
export function drippingServer(): Promise<Hostile> {
  return serve((socket) => {
    const text = `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-drip: ${'a'.repeat(1_000_000)}`;
    let i = 0;
    every(socket, 50, () => {
      socket.write(text[i % text.length] ?? 'a');
      i += 1;
    });
  });
}

/** Answers `HTTP/1.1 500 X` and then header lines, as fast as the client reads them, forever. */
export function floodingServer(): Promise<Hostile> {
  return serve((socket) => {
    socket.write('HTTP/1.1 500 X\r\n');
    let n = 0;
    const pump = () => {
      while (!socket.destroyed && socket.write(`x-flood-${n}: ${'v'.repeat(100)}\r\n`)) n += 1;
    };
    socket.on('drain', pump);
    pump();
  });
}

/** Answers a clean 404 to GET requests and never answers anything else. */
export function halfSilentServer(): Promise<Hostile> {
  return serve((socket) => {
    socket.once('data', (chunk: Buffer) => {
      if (!chunk.subarray(0, 4).equals(Buffer.from('GET '))) return;
      const body = '{"type":"about:blank","status":404}';
      socket.end(
        `HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\nx-request-id: 123e4567-e89b-42d3-a456-426614174000\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
  });
}
