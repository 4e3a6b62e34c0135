/**
 * A backend on a raw TCP socket, for answers no HTTP library writes (a lying `Content-Length`, a
 * 101 with a page after it, leaky headers): each request head is handed to `answer` with its
 * socket, once the head's blank line arrived; the body, if any, is not read.
 */
import { createServer, type Socket } from 'node:net';

/** A started raw backend. */
export interface RawBackend {
  readonly port: number;
  /** Destroys every open socket and closes the listener. */
  stop(): Promise<void>;
}

/** Starts a raw backend on 127.0.0.1 (a free port) that answers each request head with `answer`. */
export async function startRawBackend(answer: (head: string, socket: Socket) => void): Promise<RawBackend> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const whole = head;
      head = '';
      answer(whole, socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
