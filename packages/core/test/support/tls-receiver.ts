/**
 * A syslog-over-TLS receiver for tests: a real `node:tls` server on 127.0.0.1 that checks the
 * client certificate, keeps everything it is sent, and can be stopped and started again on the
 * same port (a receiver that is down, or restarted); or, `stalled`, accepts connections and never
 * reads them (their buffers fill up: a receiver that stopped reading).
 */
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { DrainCertificates } from '@faultline/testkit';

/** A receiver that can go down and come back on its port. */
export class TlsReceiver {
  readonly #certs: DrainCertificates;
  readonly #stalled: boolean;
  readonly #sockets = new Set<TLSSocket>();
  #server: Server | undefined;
  #text = '';
  /** The port (0 until the first start, unless given). */
  port: number;

  constructor(certs: DrainCertificates, port = 0, options: { readonly stalled?: boolean } = {}) {
    this.#certs = certs;
    this.port = port;
    this.#stalled = options.stalled === true;
  }

  /** Listens on {@link port} (an ephemeral one the first time when it is 0). */
  async start(): Promise<void> {
    const server = createServer(
      { ...this.#certs.server, ca: this.#certs.ca, requestCert: true, rejectUnauthorized: true },
      (socket) => {
        this.#sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => this.#sockets.delete(socket));
        if (this.#stalled) {
          socket.pause(); // accepted, never read
          return;
        }
        socket.on('data', (chunk: Buffer) => {
          this.#text += chunk.toString();
        });
      },
    );
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Stops listening and drops every connection (the clients see a reset or an end). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The `request_id`s received so far, in the order they arrived. */
  ids(): string[] {
    return [...this.#text.matchAll(/"request_id":"([^"]+)"/g)].map((match) => match[1] as string);
  }
}
