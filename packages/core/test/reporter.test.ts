import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { memoryLog } from '@faultline/testkit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { capture, createReporter, defineCatalog, FaultError, type Reporter } from './support/source.js';

// A real full GC (vitest does not run with --expose-gc): heap figures then measure what is
// retained, not how much garbage the collector has not reached yet.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A real pino logger writing into memory; `lines` are its parsed records. */
function memoryLogger() {
  const { logger, records } = memoryLog();
  return { logger, lines: records };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function pgError(i = 0) {
  return Object.assign(new Error(`duplicate key value violates unique constraint "users_email_key" row ${i}`), {
    code: '23505',
    severity: 'ERROR',
    detail: 'Key (email)=(alice@example.com) already exists.',
    table: 'users',
    password: 'hunter2',
  });
}

describe('reporter', () => {
  it('writes after the response path, not during report()', async () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({ logger, flushOnExit: false });
    reporter.report(capture(pgError()));
    expect(lines).toHaveLength(0);
    await reporter.flush();
    expect(lines).toHaveLength(1);
  });

  it('takes the faults of one loop iteration in one turn, in its check phase', async () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({ logger, flushOnExit: false });
    reporter.report(capture(pgError()));
    await Promise.resolve();
    reporter.report(capture(pgError(1)));
    // No turn per fault: the reporter's code does not run between two requests' callbacks.
    await Promise.resolve();
    expect(reporter.stats.queued).toBe(2);
    expect(lines).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reporter.stats).toMatchObject({ queued: 0, written: 1, compacted: 1 });
    expect(lines).toHaveLength(1);
  });

  it('writes a full, redacted record keyed by the request id', async () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({ logger, flushOnExit: false });
    const fault = capture(pgError(), { source: 'http.route', requestId: 'not-a-uuid\r\ninjected' });
    reporter.report(fault, {
      protocol: 'http',
      method: 'POST',
      route: '/users',
      attributes: { authorization: 'Bearer abcdefghijk' },
    });
    await reporter.flush();
    const record = lines[0] as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 40,
      msg: 'fault CONFLICT',
      request_id: fault.id,
      code: 'CONFLICT',
      category: 'conflict',
      status: 409,
      classifier: 'pg',
      reason: 'pg:23505',
      error_type: 'Error',
      protocol: 'http',
      method: 'POST',
      route: '/users',
      source: 'http.route',
      rejected_request_id: 'not-a-uuid\\x0d\\x0ainjected',
      attributes: { authorization: '[REDACTED]' },
    });
    const err = record.error as Record<string, unknown>;
    expect(err.message).toContain('users_email_key');
    expect(err.table).toBe('users');
    expect(err.password).toBe('[REDACTED]');
    expect(err.detail).toBe('Key (email)=([REDACTED:email]) already exists.');
    expect(JSON.stringify(record)).not.toMatch(/hunter2|alice@example\.com/);
    expect(record.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('logs 5xx at error level and includes FaultError meta, redacted', async () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({ logger, flushOnExit: false });
    reporter.report(capture(FaultError.of('unavailable', { meta: { upstream: 'billing', apiKey: 'k1' } })));
    await reporter.flush();
    expect(lines[0]).toMatchObject({
      level: 50,
      code: 'UNAVAILABLE',
      meta: { upstream: 'billing', apiKey: '[REDACTED]' },
    });
  });

  it('dedups a storm: one full record, then compact lines that keep every id', async () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({ logger, flushOnExit: false, dedupWindowMs: 60_000 });
    const ids: string[] = [];
    const throwSite = () => capture(pgError());
    for (let i = 0; i < 50; i += 1) {
      const fault = throwSite();
      ids.push(fault.id);
      reporter.report(fault);
    }
    await reporter.flush();
    // One full record, then one compact line for the 49 repeats of this second, listing every id.
    expect(lines).toHaveLength(2);
    const full = lines.filter((l) => l.error !== undefined);
    const compact = lines.filter((l) => l.first_request_id !== undefined);
    expect(full).toHaveLength(1);
    expect(compact).toHaveLength(1);
    expect(full[0]?.request_id).toBe(ids[0]);
    expect(compact[0]).toMatchObject({ first_request_id: ids[0], fingerprint: full[0]?.fingerprint, repeats: 49 });
    expect(compact[0]?.request_ids).toEqual(ids.slice(1));
    expect(reporter.stats).toMatchObject({ reported: 50, written: 1, compacted: 49 });
  });

  it('keeps different throw sites and codes apart', async () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({ logger, flushOnExit: false });
    const errors = defineCatalog({
      REP_A: { category: 'conflict', message: 'A.' },
      REP_B: { category: 'conflict', message: 'B.' },
    });
    reporter.report(capture(errors.REP_A({ stack: true })));
    reporter.report(capture(errors.REP_B({ stack: true })));
    reporter.report(capture(new Error('one')));
    reporter.report(capture(new TypeError('two')));
    await reporter.flush();
    expect(lines.filter((l) => l.error !== undefined)).toHaveLength(4);
  });

  it('bounds memory under a flood to a slow sink and reports what it dropped', async () => {
    const lines: string[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        setTimeout(cb, 2);
      },
    });
    const reporter = createReporter({
      logger: pino({ level: 'info' }, slow),
      flushOnExit: false,
      queueSize: 256,
      dedupWindowMs: 0,
      maxSinkBacklogBytes: 256 * 1024,
    });
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    const total = 60_000;
    for (let i = 0; i < total; i += 1) {
      reporter.report(capture(new Error(`flood ${i} ${'x'.repeat(200)}`)));
      if (i % 500 === 0) await tick();
    }
    const stats = reporter.stats;
    expect(stats.queued).toBeLessThanOrEqual(256);
    expect(stats.droppedQueueFull + stats.droppedBacklog).toBeGreaterThan(0);
    expect(slow.writableLength).toBeLessThan(2 * 256 * 1024);
    collectGarbage();
    const growthMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
    expect(growthMb).toBeLessThan(64);
    reporter.drain();
    const after = reporter.stats;
    expect(after.reported).toBe(total);
    expect(after.written + after.compacted + after.droppedQueueFull + after.droppedBacklog + after.queued).toBe(total);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    reporter.report(capture(new Error('after')));
    reporter.drain();
    slow.destroy();
    expect(lines.some((l) => l.includes('faultline dropped'))).toBe(true);
  }, 30_000);

  it('skips formatting when the logger level filters the record out', () => {
    const { logger, lines } = memoryLogger();
    logger.level = 'error';
    const reporter = createReporter({ logger, flushOnExit: false });
    reporter.report(capture(FaultError.of('not_found')));
    reporter.report(capture(FaultError.of('internal')));
    reporter.drain();
    expect(lines.map((l) => l.code)).toEqual(['INTERNAL']);
    expect(reporter.stats).toMatchObject({ suppressed: 1, written: 1 });
  });

  it('drop-oldest keeps the newest records', () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({
      logger,
      flushOnExit: false,
      queueSize: 3,
      overflow: 'drop-oldest',
      dedupWindowMs: 0,
    });
    const faults = Array.from({ length: 5 }, (_, i) => capture(new Error(`e${i}`)));
    for (const fault of faults) reporter.report(fault);
    reporter.drain();
    const ids = lines.filter((l) => l.request_id !== undefined).map((l) => l.request_id);
    expect(ids).toEqual(faults.slice(2).map((f) => f.id));
    expect(reporter.stats.droppedQueueFull).toBe(2);
  });

  it('survives a sink that fails (EPIPE) and a logger that throws', async () => {
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const reporter = createReporter({ logger: pino({ level: 'info' }, broken), flushOnExit: false });
    for (let i = 0; i < 10; i += 1) reporter.report(capture(new Error(`e${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reporter.stats.sinkErrors).toBeGreaterThan(0);

    const throwing = pino({ level: 'info' }, new Writable({ write: (_c, _e, cb) => cb() }));
    throwing.error = () => {
      throw new Error('logger exploded');
    };
    const reporter2: Reporter = createReporter({ logger: throwing, flushOnExit: false });
    reporter2.report(capture(new Error('x')));
    expect(() => reporter2.drain()).not.toThrow();
    expect(reporter2.stats.sinkErrors).toBe(1);
  });

  it('never throws on hostile thrown values while formatting', async () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({ logger, flushOnExit: false });
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
        ownKeys: () => {
          throw new Error('trap');
        },
        getPrototypeOf: () => {
          throw new Error('trap');
        },
      },
    );
    reporter.report(capture(hostile));
    reporter.report(
      capture(
        Object.defineProperty(new Error('x'), 'stack', {
          get: () => {
            throw new Error('no stack');
          },
        }),
      ),
    );
    await reporter.flush();
    expect(lines).toHaveLength(2);
  });
});

describe('reporter: flush on exit (child processes)', () => {
  const child = fileURLToPath(new URL('./fixtures/exit-child.mjs', import.meta.url));

  it.each(['SIGTERM', 'SIGINT', 'beforeExit'])(
    'writes every queued record on %s',
    async (how) => {
      const dir = mkdtempSync(join(tmpdir(), 'faultline-exit-'));
      const file = join(dir, 'log.ndjson');
      const count = 3000;
      const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        const proc = spawn(process.execPath, [child, file, String(count), how], { stdio: 'ignore' });
        proc.on('exit', (code, signal) => resolve({ code, signal }));
      });
      if (how === 'beforeExit') expect(result.code).toBe(0);
      else expect(result.signal).toBe(how);
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      const records = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => r.request_id !== undefined);
      expect(records).toHaveLength(count);
      expect(readFileSync(file, 'utf8')).not.toContain('hunter2');
    },
    20_000,
  );
});

describe('reporter: storm fingerprints', () => {
  it('formats the stack once per message shape within a window', async () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({ logger, flushOnExit: false });
    let stackReads = 0;
    const make = (i: number) => {
      const error = new Error(`upstream call ${i} failed`);
      const stack = error.stack;
      Object.defineProperty(error, 'stack', {
        get: () => {
          stackReads += 1;
          return stack;
        },
      });
      return error;
    };
    for (let i = 0; i < 20; i += 1) reporter.report(capture(make(i)));
    await reporter.flush();
    // One read for the first (its snapshot serves the fingerprint and the redaction); none for the 19 repeats.
    expect(stackReads).toBe(1);
    expect(lines.filter((l) => l.first_request_id !== undefined)[0]?.repeats).toBe(19);
  });

  it('still separates different messages shapes and throw sites', async () => {
    const { logger, lines } = memoryLogger();
    const reporter = createReporter({ logger, flushOnExit: false });
    reporter.report(capture(new Error('disk full on /var')));
    reporter.report(capture(new Error('permission denied on /etc')));
    await reporter.flush();
    expect(lines.filter((l) => l.error !== undefined)).toHaveLength(2);
  });
});
