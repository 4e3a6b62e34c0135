/**
 * Reconnecting to a syslog receiver that is down backs off exponentially, whatever the options
 * allow: a `minBackoffMs` of 0 (allowed, "retry at once") must still double, not reconnect
 * hundreds of times a second for as long as the receiver is down. A real listener on 127.0.0.1
 * that drops every connection.
 */
import { createServer, type Server } from 'node:net';
import { makeDrainCertificates } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syslogTls } from './support/source.js';

let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  server = createServer((socket) => {
    connections += 1;
    socket.destroy(); // drops every connection before the handshake
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ({ port } = server.address() as { port: number });
});

afterAll(() => {
  server.close();
});

describe('syslog over TLS: reconnecting to a receiver that drops every connection', () => {
  it('backs off from a minBackoffMs of 0 too', async () => {
    const certs = makeDrainCertificates();
    const sink = syslogTls({ host: '127.0.0.1', port, ca: certs.ca, ...certs.client, minBackoffMs: 0 });
    const before = connections;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const made = connections - before;
    sink.close(0);
    expect(sink.openError).toBeDefined();
    // 0, 1, 2, 4 … 512 ms (±25%): about a dozen in the first second; without doubling, hundreds.
    expect(made).toBeGreaterThan(3);
    expect(made).toBeLessThan(30);
  });
});
