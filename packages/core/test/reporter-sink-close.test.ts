/**
 * Closing over a sink that stopped cooperating, in real processes: a syslog receiver that
 * accepted the connection and stopped reading, a foreign stream that never calls back or throws.
 * `await reporter.close()` must finish within its bound, the process must then end on its own,
 * and a write that threw is a sink error, never `written`.
 */
import { makeDrainCertificates } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { runModule } from './support/child.js';
import { capture, createReporter } from './support/source.js';
import { TlsReceiver } from './support/tls-receiver.js';

const STALLED_SYSLOG_CHILD = `
import { writeSync } from 'node:fs';
import { capture, createReporter, syslogTls } from '@faultline/core';
const e = process.env;
const reporter = createReporter({
  destination: syslogTls({ host: '127.0.0.1', port: Number(e.PORT), ca: e.CA, cert: e.CERT, key: e.KEY, handshakeGraceMs: 0 }),
  dedupWindowMs: 0, queueSize: 50000, workerThreshold: Infinity, flushOnExit: false,
});
for (let i = 0; i < 20000; i += 1) reporter.report(capture(new Error('boom ' + i + ' ' + 'y'.repeat(300))));
const until = Date.now() + 5000;
while (reporter.stats.written === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
writeSync(2, 'T ' + Date.now() + '\\n');
await reporter.close();
writeSync(2, 'closed ' + JSON.stringify(reporter.stats) + '\\n');
`;

const SILENT_STREAM_CHILD = `
import { writeSync } from 'node:fs';
import { capture, createReporter } from '@faultline/core';
const reporter = createReporter({ destination: { write() { return true; }, flush() {} }, flushOnExit: false });
reporter.report(capture(new Error('boom')));
writeSync(2, 'T ' + Date.now() + '\\n');
await reporter.close();
writeSync(2, 'closed\\n');
`;

describe('reporter: closing over a sink that stopped cooperating', () => {
  it('syslog receiver that stopped reading: close() finishes and the process ends on its own', async () => {
    const certs = makeDrainCertificates();
    const receiver = new TlsReceiver(certs, 0, { stalled: true });
    await receiver.start();
    const { port } = receiver;
    try {
      const env = { PORT: String(port), CA: certs.ca, CERT: certs.client.cert, KEY: certs.client.key };
      const run = await runModule(STALLED_SYSLOG_CHILD, env, 15_000);
      expect(run.stderr).toContain('closed ');
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      // close() is bounded by shutdownTimeoutMs (1 s); a socket kept open forever never exits.
      expect(run.sinceMark).toBeLessThan(5000);
    } finally {
      await receiver.stop();
    }
  }, 30_000);

  it('a stream that never calls back: an awaited close() still finishes', async () => {
    const run = await runModule(SILENT_STREAM_CHILD, {}, 10_000);
    expect(run.stderr).toContain('closed');
    expect(run.code).toBe(0);
    expect(run.sinceMark).toBeLessThan(5000);
  }, 15_000);

  it('a stream whose write throws: the records are sink errors, not written', async () => {
    const reporter = createReporter({
      destination: {
        write() {
          throw new Error('EIO');
        },
      },
      dedupWindowMs: 0,
      flushOnExit: false,
    });
    for (let i = 0; i < 10; i += 1) reporter.report(capture(new Error(`boom ${i}`)));
    await reporter.flush();
    expect(reporter.stats.delivery).toBe('handed-off');
    expect(reporter.stats.written).toBe(0);
    expect(reporter.stats.sinkErrors).toBe(10);
  });
});
