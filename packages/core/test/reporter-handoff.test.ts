/**
 * Reporter round 3 (#27): records are handed to the worker from the moment it starts (none are
 * written on the response thread while it boots, none dropped at the handover); the worker's
 * shortcuts give exactly what the plain path gives (remembered stack frames, lines written
 * without pino).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { capture } from '../src/capture.js';
import { createRedactor } from '../src/redact/redactor.js';
import type { SnapNode } from '../src/redact/snapshot.js';
import { ErrorRedaction } from '../src/report/error-redaction.js';
import { topFrames } from '../src/report/fingerprint.js';
import { formatLine } from '../src/report/line-format.js';
import { createReporter } from '../src/report/reporter.js';
import { idsIn } from './support/reporter-files.js';

describe('hand-over to the worker (#27)', () => {
  it('hands records to the worker while it boots instead of writing them here; none dropped', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-handoff-')), 'h.log');
    const reporter = createReporter({
      destination: file,
      dedupWindowMs: 0,
      flushOnExit: false,
      workerThreshold: 0,
      queueSize: 4096,
    });
    const ids: string[] = [];
    for (let i = 0; i < 3000; i += 1) {
      const fault = capture(new Error(`user u${i} failed for ${i.toString(36)}`));
      ids.push(fault.id);
      reporter.report(fault);
    }
    // One turn, the worker not booted yet: 16 records are written here, then the rest goes over.
    reporter.drain(Number.POSITIVE_INFINITY, 10_000_000_000n);
    const during = reporter.stats;
    expect(during.offThread).toBe(true);
    // What is still here is the lines of the records written on this thread, not yet written out.
    expect(during.queued).toBeLessThanOrEqual(16);
    expect(during.queued + during.inFlight + during.written).toBe(3000);
    expect(during.inFlight).toBeGreaterThanOrEqual(2984);
    await reporter.close();
    const stats = reporter.stats;
    expect(stats).toMatchObject({ reported: 3000, written: 3000, droppedQueueFull: 0, droppedBacklog: 0, inFlight: 0 });
    expect(stats.lost).toEqual({});
    const found = idsIn(file);
    expect(ids.filter((id) => !found.has(id))).toEqual([]);
  }, 20_000);

  it('a booting worker holds up to four queues; once it writes, one; the counts add up', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-handoff-')), 'boot.log');
    const reporter = createReporter({
      destination: file,
      dedupWindowMs: 0,
      flushOnExit: false,
      workerThreshold: 0,
      queueSize: 500,
    });
    let n = 0;
    const round = (): void => {
      for (let i = 0; i < 500; i += 1, n += 1) reporter.report(capture(new Error(`boot ${n.toString(36)} x`)));
      reporter.drain(Number.POSITIVE_INFINITY, 10_000_000_000n);
    };
    // Synchronous: the worker's first counts cannot arrive in between, so it is still booting.
    for (let r = 0; r < 5; r += 1) round();
    expect(reporter.stats.inFlight).toBe(2000);
    expect(reporter.stats.queued).toBe(500);
    expect(reporter.stats.droppedQueueFull).toBe(0);
    await reporter.flush();
    expect(reporter.stats.inFlight).toBe(0);
    // Writing now: one queue's worth at most.
    for (let r = 0; r < 3; r += 1) round();
    expect(reporter.stats.inFlight).toBe(500);
    expect(reporter.stats.droppedQueueFull).toBe(500);
    await reporter.close();
    const stats = reporter.stats;
    expect(stats).toMatchObject({ reported: 4000, written: 3500, droppedQueueFull: 500, inFlight: 0 });
    expect(idsIn(file).size).toBe(3500);
  }, 20_000);
});

describe('remembered stack frames give what the plain redaction gives', () => {
  const redactor = createRedactor();
  const frames = [
    '    at charge (/srv/app/billing/charge.js:42:13)',
    '    at async handler (/srv/app/routes/pay.js:17:5)',
    '    at Layer.handle [as handle_request] (/srv/node_modules/express/lib/router/layer.js:95:5)',
  ].join('\n');
  const error = (message: string, stack: string, props: Record<string, SnapNode> = {}): SnapNode => ({
    e: { type: 'Error', message, stack, props },
  });
  const cases: [string, SnapNode][] = [
    ['a plain V8 stack', error('user bob failed', `Error: user bob failed\n${frames}`, { code: 'ECHARGE' })],
    ['a secret in the message', error('password=hunter2 bad', `Error: password=hunter2 bad\n${frames}`)],
    [
      'a multi-line message',
      error(
        'validation failed\n  at path.a (expected string)',
        `Error: validation failed\n  at path.a (expected string)\n${frames}`,
      ),
    ],
    ['a message not in the stack', error('other', `Error: something else\n${frames}`)],
    ['CRLF line ends', error('crlf', `Error: crlf\r\n${frames.replaceAll('\n', '\r\n')}`)],
    [
      'a private key across frame lines',
      error(
        'k',
        `Error: k\n    at a (/x.js:1:1)\n-----BEGIN PRIVATE KEY-----\nMIIB\n    at b (/y.js:2:2)\n-----END PRIVATE KEY-----\n${frames}`,
      ),
    ],
    ['an email in a frame', error('m', `Error: m\n    at a (/home/alice@example.com/x.js:1:1)\n${frames}`)],
    ['a header that looks like a frame', error('at x (/a.js:1:2)', `at x (/a.js:1:2)\n${frames}`)],
    ['a long stack', error('long', `Error: long\n${`${frames}\n`.repeat(300)}`)],
    ['no stack', error('none', '')],
    ['a plain object with a stack', { o: { stack: `Error: o\n${frames}`, message: 'o' } }],
    ['a string', 'thrown text'],
  ];

  it.each(cases)('%s', (_name, node) => {
    const cached = new ErrorRedaction(redactor);
    const first = cached.redact(node);
    const again = cached.redact(node);
    const plain = redactor.redactSnapshot(node);
    expect(first.error).toEqual(plain);
    expect(again.error).toEqual(plain);
    const stack =
      typeof node === 'object' && node !== null && !Array.isArray(node) && 'e' in node
        ? node.e.stack
        : typeof node === 'object' && node !== null && !Array.isArray(node) && 'o' in node
          ? (node.o.stack as string)
          : undefined;
    const top = stack === undefined ? [] : topFrames(stack.slice(0, 16_384));
    expect(first.top).toEqual(top);
    expect(again.top).toEqual(top);
  });

  it('remembers the frames of errors thrown from one place, whatever their messages', () => {
    const cached = new ErrorRedaction(redactor);
    const a = cached.redact(error('user ann failed', `Error: user ann failed\n${frames}`));
    const b = cached.redact(error('user bob failed', `Error: user bob failed\n${frames}`));
    const stackA = (a.error as { stack: string[] }).stack;
    const stackB = (b.error as { stack: string[] }).stack;
    expect(stackA[0]).toBe('Error: user ann failed');
    expect(stackB[0]).toBe('Error: user bob failed');
    expect(stackA.slice(1)).toEqual(stackB.slice(1));
    expect(b.top).toBe(a.top);
  });
});

describe('lines written without pino', () => {
  it('are the lines pino writes for the same record (but the time)', () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    );
    const record = { request_id: 'r1', status: 500, error: { type: 'Error', stack: ['a', 'b\\n'] }, none: undefined };
    logger.error(record, 'fault INTERNAL "x"');
    logger.warn({}, 'empty');
    const ours = [formatLine('error', record, 'fault INTERNAL "x"'), formatLine('warn', {}, 'empty')];
    const noTime = (line: string) => line.replace(/"time":\d+/, '"time":0');
    expect(ours.map(noTime)).toEqual(lines.map(noTime));
  });
});
