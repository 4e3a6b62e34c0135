/**
 * The hand-over to the worker while the syslog receiver is down: the record rate starts the
 * worker while this thread's sink still holds lines it could not send (the receiver not started
 * yet, or stopped). Those lines must reach the receiver once it is back, first and in order, not
 * be counted lost as `shutdown` in the middle of the process's life. A real TLS receiver on
 * 127.0.0.1, in process (the worker is the built one).
 */
import { type DrainCertificates, freePort, makeDrainCertificates } from '@faultline/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adopt, handOver } from '../src/report/line-handover.js';
import { storm } from './support/reporter-files.js';
import { createReporter, syslogTls } from './support/source.js';
import { TlsReceiver } from './support/tls-receiver.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !check()) await wait(20);
}

let certs: DrainCertificates;
let receiver: TlsReceiver | undefined;

beforeAll(() => {
  certs = makeDrainCertificates();
});

afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

function reporterTo(port: number) {
  return createReporter({
    destination: syslogTls({
      host: '127.0.0.1',
      port,
      ca: certs.ca,
      ...certs.client,
      handshakeGraceMs: 0,
      minBackoffMs: 20,
      maxBackoffMs: 100,
    }),
    dedupWindowMs: 0,
    flushOnExit: false,
    queueSize: 10_000,
  });
}

describe('hand-over to the worker while the syslog receiver is down', () => {
  it.each([
    ['started late', false],
    ['stopped, then restarted', true],
  ])(
    'receiver %s: what this thread held is sent first, in order; nothing is lost',
    async (_name, upFirst) => {
      const port = await freePort();
      receiver = new TlsReceiver(certs, port);
      if (upFirst) await receiver.start();
      // Default threshold: this thread writes the first records itself, then the worker starts.
      const reporter = reporterTo(port);
      let warmup: string[] = [];
      if (upFirst) {
        warmup = storm(reporter, 5, 'warmup');
        await until(() => receiver?.ids().length === 5, 5000);
        expect(receiver.ids()).toEqual(warmup);
        await receiver.stop();
        await until(() => reporter.stats.destinationError !== undefined, 5000);
      }
      const ids = [...warmup, ...storm(reporter, 3000, 'down')];
      // The worker boots and takes the destination while the receiver is still down.
      await until(() => reporter.stats.offThread && reporter.stats.queued === 0, 5000);
      await wait(500);
      const before = reporter.stats;
      await receiver.start();
      await until(() => reporter.stats.written === ids.length, 15_000);
      await until(() => receiver?.ids().length === ids.length, 5000);
      const stats = reporter.stats;
      await reporter.close();
      expect(before.offThread).toBe(true);
      expect(before.lost).toEqual({});
      expect(stats.lost).toEqual({});
      expect(stats.written).toBe(ids.length);
      // Every record, each once, in the order reported: this thread's lines first, then the worker's.
      expect(receiver.ids()).toEqual(ids);
    },
    30_000,
  );
});

describe('a syslog sink handing its unsent lines to another copy of it', () => {
  it('the copy sends them first, in order, within its own bound (beyond it, lost as backlog); the first counts none', async () => {
    receiver = new TlsReceiver(certs, await freePort());
    const options = {
      host: '127.0.0.1',
      port: receiver.port,
      ca: certs.ca,
      ...certs.client,
      handshakeGraceMs: 0,
      minBackoffMs: 20,
      maxBackoffMs: 100,
    };
    const line = (tag: string, i: number) =>
      `{"level":50,"request_id":"${tag}-${String(i).padStart(3, '0')}","pad":"${'p'.repeat(200)}"}\n`;
    const first = syslogTls(options);
    for (let i = 0; i < 100; i += 1) first.write(line('a', i));
    expect(first.counts.pending).toBe(100);
    // Across threads the bytes arrive as plain Uint8Arrays.
    const lines = structuredClone(handOver(first));
    first.close(0);
    expect(lines).toHaveLength(100);
    expect(first.counts).toMatchObject({ pending: 0, backlogBytes: 0, lost: {}, accepted: { full: 0 } });
    // Room for 60 lines; the copy already holds one of its own.
    const size = (lines[0] as (typeof lines)[number])[0].byteLength;
    const second = syslogTls({ ...options, maxBacklogBytes: size * 60 });
    second.write(line('b', 0));
    expect(adopt(second, lines)).toBe(true);
    expect(second.counts).toMatchObject({ pending: 60, lost: { backlog: 41 } });
    await receiver.start();
    await until(() => second.counts.accepted.full === 60 && receiver?.ids().length === 60, 10_000);
    expect(second.counts).toMatchObject({ pending: 0, lost: { backlog: 41 }, accepted: { full: 60 } });
    const expected = [...Array.from({ length: 59 }, (_, i) => `a-${String(i).padStart(3, '0')}`), 'b-000'];
    expect(receiver.ids()).toEqual(expected);
    second.close(0);
  }, 20_000);
});
