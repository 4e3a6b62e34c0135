/**
 * Whether OTel exception log records are made is decided once per turn, and remembered for the
 * provider it was decided on: an SDK registered after the reporter started, or taken away, is seen
 * at the next turn.
 */
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { capture, createReporter } from './support/source.js';

afterEach(() => {
  logs.disable();
});

describe('OTel exception log records', () => {
  it('start once a logs SDK is registered and stop once it is taken away', async () => {
    const reporter = createReporter({ logger: pino({ level: 'silent' }), flushOnExit: false });
    const exported = new InMemoryLogRecordExporter();
    const ids = () => exported.getFinishedLogRecords().map((record) => record.attributes['app.error.id']);

    const before = capture(new Error('before the SDK'));
    reporter.report(before);
    await reporter.flush();
    expect(ids()).toEqual([]);

    logs.setGlobalLoggerProvider(
      new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: exported })] }),
    );
    const during = capture(new Error('with the SDK'));
    reporter.report(during);
    await reporter.flush();
    expect(ids()).toEqual([during.id]);

    logs.disable();
    reporter.report(capture(new Error('after the SDK')));
    await reporter.flush();
    expect(ids()).toEqual([during.id]);
    await reporter.close();
  });
});
