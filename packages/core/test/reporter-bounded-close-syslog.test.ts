/**
 * `await reporter.close()` over syslog whose receiver accepted the connection and stopped
 * reading, with a long queue formatted on the main thread: it returns within `shutdownTimeoutMs`
 * (plus a small margin), and every record is counted. A real process, a real TLS receiver.
 */
import { makeDrainCertificates } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { runModule } from './support/child.js';
import type { ReporterStats } from './support/source.js';
import { TlsReceiver } from './support/tls-receiver.js';

/** The child: 20,000 large records, waits until the first is written, then closes (`T` marks it). */
const CHILD = `
import { writeSync } from 'node:fs';
import { capture, createReporter, syslogTls } from '@faultline/core';
const e = process.env;
const reporter = createReporter({
  destination: syslogTls({ host: '127.0.0.1', port: Number(e.PORT), ca: e.CA, cert: e.CERT, key: e.KEY, handshakeGraceMs: 0 }),
  dedupWindowMs: 0, queueSize: 20000, workerThreshold: Infinity, shutdownTimeoutMs: 500, flushOnExit: false,
});
for (let i = 0; i < 20000; i += 1) reporter.report(capture(new Error('boom ' + i + ' ' + 'y'.repeat(300))));
const until = Date.now() + 5000;
while (reporter.stats.written === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
const started = Date.now();
writeSync(2, 'T ' + started + '\\n');
await reporter.close();
writeSync(2, 'closed ' + (Date.now() - started) + ' ' + JSON.stringify(reporter.stats) + '\\n');
`;

describe('reporter on the main thread: close() over a syslog receiver that stopped reading', () => {
  it('returns within the bound and counts every record', async () => {
    const certs = makeDrainCertificates();
    const receiver = new TlsReceiver(certs, 0, { stalled: true });
    await receiver.start();
    const { port } = receiver;
    try {
      const env = { PORT: String(port), CA: certs.ca, CERT: certs.client.cert, KEY: certs.client.key };
      const run = await runModule(CHILD, env, 20_000);
      const line = run.stderr.split('\n').find((l) => l.startsWith('closed '));
      expect(line).toBeDefined();
      const [, took, json] = /^closed (\d+) (.*)$/.exec(line as string) ?? [];
      // Bound 0.5 s; formatting the whole queue into a sink that cannot send took 2-8 s.
      expect(Number(took)).toBeLessThan(1000);
      const stats = JSON.parse(json as string) as ReporterStats;
      const lost = Object.values(stats.lost).reduce((a, b) => a + b, 0);
      expect(
        stats.written + stats.compacted + lost + stats.droppedQueueFull + stats.droppedBacklog + stats.queued,
      ).toBe(20_000);
      expect(run.code).toBe(0);
    } finally {
      await receiver.stop();
    }
  }, 30_000);
});
