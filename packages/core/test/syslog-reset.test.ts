/**
 * A syslog receiver that stopped reading, then reset the connection: the lines the socket still
 * held (Node calls their writes back without an error when the socket is destroyed) never reached
 * the kernel, so they must not count as written; they go out again, in order, on the next
 * connection. A real TLS receiver on 127.0.0.1.
 */
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { makeDrainCertificates } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syslogTls } from './support/source.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let certs: ReturnType<typeof makeDrainCertificates>;
let server: Server;
let port: number;
const connections: TLSSocket[] = [];
/** What each connection after the first received. */
const received: string[] = [];

beforeAll(async () => {
  certs = makeDrainCertificates();
  server = createServer({ ...certs.server, ca: certs.ca, requestCert: true, rejectUnauthorized: true }, (socket) => {
    const index = connections.push(socket) - 1;
    socket.on('error', () => {});
    if (index === 0) {
      socket.pause(); // the first connection is never read: its buffers fill up
      return;
    }
    received[index] = '';
    socket.on('data', (chunk: Buffer) => {
      received[index] += chunk.toString();
    });
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ({ port } = server.address() as { port: number });
});

afterAll(() => {
  for (const socket of connections) socket.destroy();
  server.close();
});

/** Waits until `value()` stays the same for `quietMs` (or `timeoutMs` passes). */
async function settled(value: () => number, quietMs: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = value();
  let since = Date.now();
  while (Date.now() < end && Date.now() - since < quietMs) {
    await wait(20);
    if (value() !== last) {
      last = value();
      since = Date.now();
    }
  }
}

describe('syslog over TLS: a connection reset with lines still in the socket', () => {
  it('counts only what the kernel took; the rest is sent again on the next connection, in order', async () => {
    const sink = syslogTls({
      host: '127.0.0.1',
      port,
      ca: certs.ca,
      ...certs.client,
      handshakeGraceMs: 0,
      minBackoffMs: 20,
      maxBackoffMs: 50,
      maxBacklogBytes: 64 * 1024 * 1024,
    });
    const total = 8000;
    const pad = 'p'.repeat(600);
    for (let seq = 0; seq < total; seq += 1) sink.write(`{"level":50,"seq":${seq},"pad":"${pad}"}\n`);
    // The first connection takes what fits in the kernel's buffers, then stalls.
    await settled(() => sink.counts.accepted.full, 300, 10_000);
    const beforeReset = sink.counts.accepted.full;
    expect(beforeReset).toBeGreaterThan(0);
    expect(beforeReset).toBeLessThan(total);
    connections[0]?.destroy(); // unread data: the receiver's kernel resets the connection
    const end = Date.now() + 10_000;
    while (Date.now() < end && (sink.counts.pending ?? 0) > 0) await wait(20);
    const counts = sink.counts;
    expect(counts.pending).toBe(0);
    expect(counts.accepted.full).toBe(total);
    expect(counts.lost).toEqual({});
    // What the first connection's kernel took is lost with it, unseen (no acknowledgement in syslog
    // over TLS); everything counted after the reset arrived, from the first line not taken, in order.
    const arrived = () =>
      received.slice(1).flatMap((text) => [...text.matchAll(/"seq":(\d+)/g)].map((match) => Number(match[1])));
    await settled(() => arrived().length, 300, 10_000);
    const seqs = arrived();
    expect(seqs.length).toBe(total - beforeReset);
    expect(seqs[0]).toBe(beforeReset);
    expect(seqs.every((seq, i) => i === 0 || seq === (seqs[i - 1] as number) + 1)).toBe(true);
    sink.close(0);
  }, 30_000);
});
