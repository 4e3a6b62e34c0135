/**
 * The log drain carries unredacted detail, so it speaks TLS 1.3 only by default: a receiver that
 * offers only TLS 1.2 (a real TLS server capped at 1.2, with the drain's own certificates) is
 * refused, with a clear destinationError, nothing counted as written and the loss counted.
 * `allowTls12: true` lets an old receiver in, and says so once on stderr (fd 2, seen from a child).
 */
import type { AddressInfo, Server as NetServer } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { type DrainCertificates, makeDrainCertificates } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModule } from './support/child.js';
import { capture, createReporter, syslogTls } from './support/source.js';

let certs: DrainCertificates;
let receiver: NetServer;
let port = 0;
const received: string[] = [];

beforeAll(async () => {
  certs = makeDrainCertificates();
  receiver = createServer(
    {
      ...certs.server,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    },
    (socket: TLSSocket) => {
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => received.push(chunk));
      socket.on('error', () => undefined);
    },
  );
  receiver.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(() => {
  receiver.close();
});

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('syslog drain and a receiver that offers only TLS 1.2', () => {
  it('refuses it by default: a clear destinationError, nothing written, the loss counted', async () => {
    const sink = syslogTls({
      host: '127.0.0.1',
      port,
      ca: certs.ca,
      ...certs.client,
      servername: 'localhost',
      maxBackoffMs: 200,
    });
    const reporter = createReporter({
      destination: sink,
      dedupWindowMs: 0,
      flushOnExit: false,
      shutdownTimeoutMs: 200,
    });
    for (let i = 0; i < 10; i += 1) reporter.report(capture(new Error(`old receiver ${i}`)));
    await waitFor(() => /protocol|version|TLS/i.test(reporter.stats.destinationError ?? ''), 5000);
    expect(reporter.stats.destinationError).toMatch(/protocol|version|TLS/i);
    expect(reporter.stats.written).toBe(0);
    await reporter.close();
    expect(received.join('')).not.toContain('old receiver');
    const lost = Object.values(reporter.stats.lost).reduce((sum, n) => sum + n, 0);
    expect(lost).toBe(10);
  }, 20_000);

  it('accepts it with allowTls12, warning once on stderr', async () => {
    const sink = syslogTls({
      host: '127.0.0.1',
      port,
      ca: certs.ca,
      ...certs.client,
      servername: 'localhost',
      allowTls12: true,
    });
    const reporter = createReporter({ destination: sink, dedupWindowMs: 0, flushOnExit: false });
    reporter.report(capture(new Error('old receiver allowed')));
    await waitFor(() => received.join('').includes('old receiver allowed'), 8000);
    expect(received.join('')).toContain('old receiver allowed');
    await reporter.close();
    // The warning goes to fd 2 (never through process.stderr, whose EPIPE would end the process):
    // seen from a child that makes two such drains.
    const options = JSON.stringify({ host: '127.0.0.1', port, ca: certs.ca, ...certs.client, allowTls12: true });
    const run = await runModule(
      `import { syslogTls } from '@faultline/core';
      for (const n of [1, 2]) syslogTls({ ...${options}, connectTimeoutMs: 10 }).close(0);`,
      {},
      10_000,
    );
    expect(run.stderr.split('\n').filter((line) => /TLS 1\.2/.test(line))).toEqual([
      'faultline: syslogTls allows TLS 1.2 (allowTls12); the product rule is TLS 1.3',
    ]);
  }, 20_000);
});
