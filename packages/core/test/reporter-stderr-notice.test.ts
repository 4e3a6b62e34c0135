/**
 * What the reporter says on stderr when its destination fails, in real processes: once per reason
 * a destination that starts losing records (a full disk, a descriptor that is not open), on the
 * response thread and the worker alike; a syslog receiver it cannot reach; a worker that died; a
 * logger passed in that throws. And saying it never ends the process: a stderr pipe whose reader
 * went away made the notice itself an uncaught EPIPE.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { makeDrainCertificates } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { makeFifo, runModule } from './support/child.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * A child reporting `count` records to `destination` (JSON), 300 ms apart twice, then ending by its
 * own SIGTERM: at 900 ms, or once every record is counted written or lost when `settle` (within
 * 5 s: a loaded machine's worker can take longer than 900 ms to meet 600 records).
 */
const reporting = (destination: string, count: number, workerThreshold: number, settle = true) => `
  import { writeSync } from 'node:fs';
  import { capture, createReporter } from '@faultline/core';
  const reporter = createReporter({ destination: ${destination}, dedupWindowMs: 0, workerThreshold: ${workerThreshold} });
  const storm = (tag) => { for (let i = 0; i < ${count}; i += 1) reporter.report(capture(new Error(tag + i))); };
  storm('before ');
  setInterval(() => {}, 1000);
  setTimeout(() => storm('after '), 300);
  const started = Date.now();
  const counted = () => {
    const stats = reporter.stats;
    return stats.written + Object.values(stats.lost).reduce((a, b) => a + b, 0) >= ${2 * count};
  };
  const check = setInterval(() => {
    const since = Date.now() - started;
    if (since < 900 || (${settle} && !counted() && since < 5000)) return;
    clearInterval(check);
    try { writeSync(2, JSON.stringify(reporter.stats) + '\\n'); } catch {}
    process.kill(process.pid, 'SIGTERM');
  }, 20);
`;

const notices = (stderr: string, text: string) => stderr.split('\n').filter((line) => line.includes(text));

/** Runs `source` with stderr a pipe whose reader is gone (closed before the child starts). */
function withDeadStderr(source: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', source], {
      cwd: packageDir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.stderr.destroy();
    const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.on('exit', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal });
    });
  });
}

// Each test is a process of its own (its own destination, receiver and stderr): they run at once.
describe.skipIf(process.platform === 'win32').concurrent('reporter: one notice on stderr per failure', () => {
  it.each([
    ['on this thread', Number.POSITIVE_INFINITY],
    ['with the worker writing', 0],
  ])(
    'a full disk, %s: one notice for ENOSPC, every record counted lost',
    async (_name, threshold) => {
      const run = await runModule(reporting(JSON.stringify('/dev/full'), 300, threshold), {}, 10_000);
      expect(run.signal).toBe('SIGTERM');
      expect(notices(run.stderr, 'faultline: the log destination is losing fault records (ENOSPC)')).toHaveLength(1);
      const stats = JSON.parse(run.stderr.split('\n').find((l) => l.startsWith('{')) as string);
      expect(stats.lost.ENOSPC).toBe(600);
    },
    15_000,
  );

  it("a reader that goes away once the worker writes: the worker's EPIPE is said once, by this thread", async () => {
    const fifo = makeFifo('notice');
    const run = await runModule(
      `
      import { closeSync, constants, openSync, writeSync } from 'node:fs';
      import { capture, createReporter } from '@faultline/core';
      const until = async (check) => { for (let i = 0; i < 2000 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5)); };
      const reader = openSync(${JSON.stringify(fifo)}, constants.O_RDONLY | constants.O_NONBLOCK);
      const reporter = createReporter({ destination: ${JSON.stringify(fifo)}, dedupWindowMs: 0, workerThreshold: 0 });
      const storm = (tag) => { for (let i = 0; i < 20; i += 1) reporter.report(capture(new Error(tag + i))); };
      storm('read ');
      await until(() => reporter.stats.offThread && reporter.stats.written === 20);
      await new Promise((r) => setTimeout(r, 200));
      closeSync(reader);
      storm('unread ');
      await until(() => (reporter.stats.lost.EPIPE ?? 0) === 20);
      await new Promise((r) => setTimeout(r, 100));
      writeSync(2, JSON.stringify(reporter.stats) + '\\n');
      `,
      {},
      10_000,
    );
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.stderr.split('\n').find((l) => l.startsWith('{')) as string);
    expect(stats).toMatchObject({ written: 20, lost: { EPIPE: 20 }, offThread: true });
    expect(notices(run.stderr, 'losing fault records (EPIPE)')).toHaveLength(1);
  }, 15_000);

  it('a descriptor that is not open: one notice for EBADF', async () => {
    const run = await runModule(reporting('99', 50, 0), {}, 10_000);
    expect(run.signal).toBe('SIGTERM');
    expect(notices(run.stderr, 'losing fault records (EBADF)')).toHaveLength(1);
  }, 15_000);

  it('a destination that cannot be opened is said once, not again for the records it loses', async () => {
    const run = await runModule(reporting(JSON.stringify(tmpdir()), 50, 0), {}, 10_000);
    expect(run.signal).toBe('SIGTERM');
    expect(notices(run.stderr, 'faultline: ')).toEqual([
      'faultline: cannot open the log destination (EISDIR); fault records are counted as lost until it opens',
    ]);
  }, 15_000);

  it.each([
    ['a destination that cannot be opened', JSON.stringify(tmpdir())],
    ['a full disk', JSON.stringify('/dev/full')],
  ])(
    'stderr a pipe whose reader is gone, %s: the notice does not end the process',
    async (_name, destination) => {
      const run = await withDeadStderr(reporting(destination, 50, Number.POSITIVE_INFINITY));
      // An uncaught EPIPE from the notice ended it with code 1 before its SIGTERM.
      expect({ code: run.code, signal: run.signal }).toEqual({ code: null, signal: 'SIGTERM' });
    },
    15_000,
  );

  it('a logger that throws: one notice, every failure counted', async () => {
    const run = await runModule(
      `
      import pino from 'pino';
      import { capture, createReporter } from '@faultline/core';
      const logger = pino({}, { write() { throw new Error('disk gone'); } });
      const reporter = createReporter({ logger, dedupWindowMs: 0, flushOnExit: false });
      for (let i = 0; i < 20; i += 1) reporter.report(capture(new Error('x' + i)));
      await reporter.flush();
      process.stderr.write(JSON.stringify(reporter.stats) + '\\n');
      `,
      {},
      10_000,
    );
    expect(run.code).toBe(0);
    expect(notices(run.stderr, 'faultline: the logger or stream given to the reporter failed')).toHaveLength(1);
    expect(JSON.parse(run.stderr.split('\n').find((l) => l.startsWith('{')) as string).sinkErrors).toBe(20);
  }, 15_000);

  it('a worker that dies: one notice; it is replaced and the counts add up', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-notice-')), 'w.log');
    const run = await runModule(
      `
      import { capture, createReporter } from '@faultline/core';
      const workers = [];
      process.on('worker', (worker) => workers.push(worker));
      const until = async (check) => { for (let i = 0; i < 2000 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5)); };
      const reporter = createReporter({ destination: ${JSON.stringify(file)}, dedupWindowMs: 0, workerThreshold: 0 });
      const storm = (n) => { for (let i = 0; i < n; i += 1) reporter.report(capture(new Error('w' + i))); };
      storm(200);
      await until(() => reporter.stats.offThread && reporter.stats.written === 200);
      await workers[0].terminate();
      await until(() => workers.length === 2);
      storm(100);
      await reporter.close();
      process.stderr.write(JSON.stringify({ ...reporter.stats, workers: workers.length }) + '\\n');
      `,
      {},
      15_000,
    );
    expect(run.code).toBe(0);
    expect(notices(run.stderr, "faultline: the reporter's worker thread ended unexpectedly")).toHaveLength(1);
    const stats = JSON.parse(run.stderr.split('\n').find((l) => l.startsWith('{')) as string);
    expect(stats.workers).toBe(2);
    expect(stats.written).toBe(300);
  }, 20_000);

  it('a syslog receiver with the wrong certificate: one notice naming why; SIGTERM still ends it', async () => {
    const certs = makeDrainCertificates();
    // A real TLS server presenting a certificate the drain's CA did not sign.
    const receiver = createServer({ ...certs.rogue, ca: certs.ca }, (socket: TLSSocket) =>
      socket.on('error', () => {}),
    );
    receiver.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    try {
      const options = {
        host: '127.0.0.1',
        port,
        ca: certs.ca,
        ...certs.client,
        servername: 'localhost',
        maxBackoffMs: 100,
      };
      const run = await runModule(
        reporting(`(await import('@faultline/core')).syslogTls(${JSON.stringify(options)})`, 50, 0, false),
        {},
        10_000,
      );
      expect(run.signal).toBe('SIGTERM');
      expect(notices(run.stderr, 'faultline: cannot reach the syslog receiver')).toEqual([
        'faultline: cannot reach the syslog receiver (UNABLE_TO_VERIFY_LEAF_SIGNATURE); records wait, within their bound',
      ]);
      const stats = JSON.parse(run.stderr.split('\n').find((l) => l.startsWith('{')) as string);
      expect(stats.written).toBe(0);
    } finally {
      receiver.close();
    }
  }, 20_000);
});
