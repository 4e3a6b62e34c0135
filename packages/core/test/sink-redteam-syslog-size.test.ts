/**
 * A record longer than the syslog receiver takes, against a real rsyslogd (TLS, client
 * certificates checked). rsyslog does not refuse an oversized octet-counted message: it splits it
 * at its `maxMessageSize` (8096 bytes by default) and parses the rest as messages of their own. A
 * record quoting text a client chose (an error message) then made forged messages with the host,
 * app name and severity of that text. The drain must cut each message to the receiver's limit.
 */
import { type DrainCertificates, makeDrainCertificates, type Rsyslog, startRsyslog } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frame, MAX_MESSAGE_BYTES, syslogHeader } from '../src/report/syslog/rfc5424.js';
import { capture, createReporter, syslogTls } from './support/source.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A forged RFC 5424 message, as a client could put it in an error message. */
const FORGED = '<131>1 2026-01-01T00:00:00Z evilhost evilapp 1 fault - {"injected":true}';

let certs: DrainCertificates;
let rsyslog: Rsyslog;
beforeAll(async () => {
  certs = makeDrainCertificates();
  rsyslog = await startRsyslog(certs);
}, 20_000);
afterAll(async () => {
  await rsyslog.stop();
});

describe('syslog over TLS: a record longer than the receiver takes', () => {
  it('is cut to one message: no text of the record becomes a message of its own', async () => {
    const reporter = createReporter({
      destination: syslogTls({
        host: '127.0.0.1',
        port: rsyslog.port,
        ca: certs.ca,
        cert: certs.client.cert,
        key: certs.client.key,
        appName: 'svc',
        handshakeGraceMs: 300,
      }),
      dedupWindowMs: 0,
      workerThreshold: Number.POSITIVE_INFINITY,
    });
    // Shifted by one character each, one of the forged headers lands on rsyslog's split point.
    for (let shift = 0; shift < 8; shift += 1)
      reporter.report(capture(new Error(`${'x'.repeat(90 + shift)}${`#${FORGED}`.repeat(200)}`)));
    reporter.report(capture(new Error('after')));
    const end = Date.now() + 8000;
    while (Date.now() < end && rsyslog.lines().length < 9) await wait(50);
    await wait(300); // anything split off would arrive with its message
    await reporter.close();
    const lines = rsyslog.lines();
    expect(reporter.stats.written).toBe(9);
    // Before: 17 lines, the pieces past 8096 bytes parsed as messages (app name `evilapp` among them).
    expect(lines.filter((l) => !l.startsWith('svc {"level":50'))).toEqual([]);
    expect(lines).toHaveLength(9);
  }, 20_000);

  it('cuts at a character boundary, within the bound, with the length prefix of what is sent', () => {
    const header = syslogHeader('svc');
    const framed = frame(`{"level":50,"msg":"${'€'.repeat(5000)}"}\n`, header);
    const space = framed.indexOf(0x20);
    const length = Number(framed.subarray(0, space).toString());
    const body = framed.subarray(space + 1);
    expect(body.length).toBe(length);
    expect(length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(length).toBeGreaterThan(MAX_MESSAGE_BYTES - 3);
    expect(body.toString()).toBe(Buffer.from(body.toString()).toString()); // no broken sequence
    expect(body.toString().endsWith('€')).toBe(true);
    // A short line is sent whole.
    const short = frame('{"level":50,"msg":"ok"}\n', header);
    expect(short.toString().endsWith(' fault - {"level":50,"msg":"ok"}')).toBe(true);
  });
});
