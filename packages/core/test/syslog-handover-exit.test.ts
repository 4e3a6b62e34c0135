/**
 * The hand-over to the worker with a syslog receiver that is down, in real processes: a SIGTERM
 * then still ends the process within its bound, with nothing counted lost before it and every
 * record counted after it; and a receiver that goes down once the worker writes is said on
 * stderr when it happens (the worker's sink met it, and said it nowhere). Real TLS receivers on
 * 127.0.0.1.
 */
import { type DrainCertificates, freePort, makeDrainCertificates } from '@faultline/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { runModule } from './support/child.js';
import type { ReporterStats } from './support/source.js';

const PRELUDE = `
import { writeSync } from 'node:fs';
import { createServer } from 'node:tls';
import { capture, createReporter, syslogTls } from '@faultline/core';
const e = process.env;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (check, ms) => { const end = Date.now() + ms; while (!check() && Date.now() < end) await sleep(10); };
const say = (line) => writeSync(2, line + '\\n');
const drain = (port) => syslogTls({ host: '127.0.0.1', port, ca: e.CA, cert: e.CERT, key: e.KEY, handshakeGraceMs: 0, minBackoffMs: 20, maxBackoffMs: 100 });
const storm = (reporter, tag, n) => { for (let i = 0; i < n; i += 1) reporter.report(capture(new Error(tag + ' user ' + i.toString(36) + ' could not ' + 'x'.repeat(i % 7) + ' pay'))); };
`;

/**
 * Nothing listens on `PORT`: the record rate starts the worker, which takes the destination; the
 * child (a server: its own SIGTERM handler stops its timer) prints the stats, sends itself
 * SIGTERM, and prints them again on exit.
 */
const DEAD_RECEIVER = `${PRELUDE}
const reporter = createReporter({ destination: drain(Number(e.PORT)), dedupWindowMs: 0, queueSize: 10000, shutdownTimeoutMs: 500 });
const server = setInterval(() => {}, 1000);
process.on('SIGTERM', () => clearInterval(server));
process.on('exit', () => say('stats ' + JSON.stringify(reporter.stats)));
storm(reporter, 'down', 3000);
await until(() => reporter.stats.offThread && reporter.stats.queued === 0, 5000);
await sleep(300);
say('mid ' + JSON.stringify(reporter.stats));
say('T ' + Date.now());
process.kill(process.pid, 'SIGTERM');
`;

/**
 * The child runs its own receiver; once the worker wrote the first records and went quiet, the
 * receiver stops; 500 ms later the child marks its stderr, reports five more, and ends.
 */
const GOES_DOWN = `${PRELUDE}
const sockets = new Set();
const receiver = createServer({ cert: e.SERVER_CERT, key: e.SERVER_KEY, ca: e.CA, requestCert: true, rejectUnauthorized: true }, (socket) => {
  sockets.add(socket);
  socket.on('error', () => {});
  socket.resume();
});
receiver.on('tlsClientError', () => {});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const reporter = createReporter({ destination: drain(receiver.address().port), dedupWindowMs: 0, workerThreshold: 0, shutdownTimeoutMs: 500 });
storm(reporter, 'up', 20);
await until(() => reporter.stats.offThread && reporter.stats.written === 20, 5000);
await sleep(500);
say('stop ' + JSON.stringify(reporter.stats));
receiver.close();
for (const socket of sockets) socket.destroy();
await sleep(500);
say('mark');
storm(reporter, 'after', 5);
await sleep(300);
`;

const line = (stderr: string, tag: string): ReporterStats | undefined => {
  const found = stderr.split('\n').find((l) => l.startsWith(`${tag} `));
  return found === undefined ? undefined : (JSON.parse(found.slice(tag.length + 1)) as ReporterStats);
};

const lostTotal = (stats: ReporterStats) => Object.values(stats.lost).reduce((a, b) => a + b, 0);

let certs: DrainCertificates;
let env: Record<string, string>;

beforeAll(() => {
  certs = makeDrainCertificates();
  env = {
    CA: certs.ca,
    CERT: certs.client.cert,
    KEY: certs.client.key,
    SERVER_CERT: certs.server.cert,
    SERVER_KEY: certs.server.key,
  };
});

describe('syslog over TLS: the hand-over to the worker with the receiver down', () => {
  it('nothing is lost mid-life; a SIGTERM still ends the process within its bound, every record counted', async () => {
    const run = await runModule(DEAD_RECEIVER, { ...env, PORT: String(await freePort()) }, 10_000);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    // The shutdown (0.5 s) and the close's grace (1 s); killed after 10 s otherwise.
    expect(run.sinceMark).toBeLessThan(5000);
    const mid = line(run.stderr, 'mid') as ReporterStats;
    expect(mid.offThread).toBe(true);
    // Before: this thread's unsent lines were counted lost (`shutdown`) at the hand-over.
    expect(mid.lost).toEqual({});
    expect(mid.written).toBe(0);
    expect(mid.queued + mid.inFlight + mid.droppedQueueFull).toBe(3000);
    const stats = line(run.stderr, 'stats') as ReporterStats;
    expect(stats.written).toBe(0);
    expect(Object.keys(stats.lost).every((reason) => ['shutdown', 'backlog', 'unconfirmed'].includes(reason))).toBe(
      true,
    );
    expect(stats.written + lostTotal(stats) + stats.queued + stats.inFlight + stats.droppedQueueFull).toBe(3000);
  }, 15_000);

  it('a receiver that goes down once the worker writes is said on stderr when it happens, each reason once', async () => {
    const run = await runModule(GOES_DOWN, env, 10_000);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    const before = line(run.stderr, 'stop') as ReporterStats;
    expect(before).toMatchObject({ offThread: true, written: 20, lost: {} });
    const lines = run.stderr.split('\n');
    const stop = lines.findIndex((l) => l.startsWith('stop '));
    const mark = lines.indexOf('mark');
    const notices = lines.filter((l) => l.startsWith('faultline: cannot reach the syslog receiver'));
    // Said between the receiver stopping and the next records (before: only once records were lost to the backlog).
    expect(lines.slice(stop, mark).filter((l) => notices.includes(l)).length).toBeGreaterThan(0);
    expect(new Set(notices).size).toBe(notices.length);
  }, 15_000);
});
