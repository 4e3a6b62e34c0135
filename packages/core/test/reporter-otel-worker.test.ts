/**
 * OTel exception log records stay on the response thread (the SDK's LoggerProvider, processors
 * and exporters live there) when the worker writes the records: the worker sends back each
 * redacted exception and the response thread emits it (#27).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../src/capture.js';
import { createReporter } from '../src/report/reporter.js';

const exported = new InMemoryLogRecordExporter();

beforeAll(() => {
  logs.setGlobalLoggerProvider(
    new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: exported })] }),
  );
});

afterAll(() => {
  logs.disable();
});

describe('OTel exception records with the worker writing', () => {
  it('emits one redacted exception record per fault, on this thread, linked by the fault id', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-otel-worker-')), 'o.log');
    const reporter = createReporter({ destination: file, dedupWindowMs: 0, flushOnExit: false, workerThreshold: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      const fault = capture(new Error(`charge ${i.toString(36)} failed: password=hunter2`));
      ids.push(fault.id);
      reporter.report(fault);
    }
    await reporter.close();
    expect(reporter.stats).toMatchObject({ offThread: true, written: 200 });
    const records = exported.getFinishedLogRecords();
    expect(records.map((r) => r.attributes['app.error.id']).sort()).toEqual([...ids].sort());
    for (const record of records) {
      expect(String(record.attributes['exception.message'])).not.toContain('hunter2');
      expect(String(record.attributes['exception.stacktrace'])).toContain('reporter-otel-worker.test.ts');
    }
    expect(readFileSync(file, 'utf8')).not.toContain('hunter2');
  }, 20_000);
});
