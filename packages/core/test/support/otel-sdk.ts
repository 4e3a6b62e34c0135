/**
 * A real OpenTelemetry SDK for a core test file: async-hooks context, a tracer provider exporting
 * spans to memory and a logger provider exporting log records to memory, registered globally
 * before the file's tests (and core's lazy import of the API awaited), emptied before each and
 * taken down after them.
 */
import { context, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { loadTelemetry } from '../../src/report/otel-api.js';

/** The file's exporters: finished spans and log records. */
export interface OtelSdk {
  readonly spans: InMemorySpanExporter;
  readonly logRecords: InMemoryLogRecordExporter;
}

/** Registers the SDK for the calling test file (vitest hooks); returns its exporters. */
export function useOtelSdk(): OtelSdk {
  const spans = new InMemorySpanExporter();
  const logRecords = new InMemoryLogRecordExporter();
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    logs.setGlobalLoggerProvider(
      new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logRecords })] }),
    );
    // Core imports the API once it sees an SDK; the file's tests call core's functions directly.
    await loadTelemetry();
  });
  afterAll(() => {
    trace.disable();
    logs.disable();
    context.disable();
  });
  beforeEach(() => {
    spans.reset();
    logRecords.reset();
  });
  return { spans, logRecords };
}
