import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { useOtelSdk } from './support/otel-sdk.js';
import {
  activeTraceId,
  capture,
  createReporter,
  FaultError,
  GrpcStatus,
  isServerSpanError,
  recordFault,
  renderProblem,
} from './support/source.js';

const { spans, logRecords } = useOtelSdk();

const silentLogger = () => pino({ level: 'silent' });

function pgError() {
  return Object.assign(new Error('connection to db.internal failed: password=hunter2'), {
    code: '08006',
    severity: 'FATAL',
  });
}

describe('OpenTelemetry linking (real SDK, in-memory exporters)', () => {
  it('marks the active server span for a 5xx: attributes, ERROR status with the generic message', async () => {
    const reporter = createReporter({ logger: silentLogger(), flushOnExit: false });
    const tracer = trace.getTracer('test');
    let fault = capture(null);
    let traceId: string | undefined;
    tracer.startActiveSpan('GET /orders/:id', (span) => {
      fault = capture(pgError());
      traceId = recordFault(fault, { protocol: 'http', reporter, method: 'GET', route: '/orders/:id' });
      span.end();
    });
    await reporter.flush();
    const [span] = spans.getFinishedSpans();
    expect(span?.attributes).toMatchObject({
      'error.type': 'UNAVAILABLE',
      'app.error.id': fault.id,
      'app.error.code': 'UNAVAILABLE',
    });
    expect(span?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'The service is temporarily unavailable. Retry later.',
    });
    expect(traceId).toBe(span?.spanContext().traceId);
    expect(JSON.stringify(span?.attributes)).not.toContain('hunter2');
    expect(JSON.parse(renderProblem(fault, { traceId })).trace_id).toBe(traceId);
  });

  it('ties a redacted exception log record to the span context', async () => {
    const reporter = createReporter({ logger: silentLogger(), flushOnExit: false });
    let spanId = '';
    let fault = capture(null);
    trace.getTracer('test').startActiveSpan('op', (span) => {
      spanId = span.spanContext().spanId;
      fault = capture(pgError());
      recordFault(fault, { protocol: 'http', reporter });
      span.end();
    });
    // The record is emitted later, once the code that reported returned, still linked to the span.
    expect(logRecords.getFinishedLogRecords()).toHaveLength(0);
    await reporter.flush();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const [record] = logRecords.getFinishedLogRecords();
    expect(record?.spanContext?.spanId).toBe(spanId);
    expect(record?.attributes).toMatchObject({
      'exception.type': 'Error',
      'exception.message': 'connection to db.internal failed: password=[REDACTED]',
      'app.error.id': fault.id,
      'error.type': 'UNAVAILABLE',
    });
    expect(String(record?.attributes['exception.stacktrace'])).toContain('telemetry.test.ts');
    expect(JSON.stringify(record?.attributes)).not.toContain('hunter2');
  });

  it('leaves the span status unset for a 4xx but still sets the attributes', () => {
    trace.getTracer('test').startActiveSpan('op', (span) => {
      recordFault(capture(FaultError.of('not_found')), { protocol: 'http' });
      span.end();
    });
    const [span] = spans.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes['error.type']).toBe('NOT_FOUND');
  });

  it('follows the gRPC server rules for span status', () => {
    const grpcError = (category: Parameters<typeof FaultError.of>[0]) =>
      isServerSpanError(capture(FaultError.of(category)), 'grpc');
    expect(grpcError('internal')).toBe(true);
    expect(grpcError('unavailable')).toBe(true);
    expect(grpcError('timeout')).toBe(true);
    expect(grpcError('not_implemented')).toBe(true);
    expect(grpcError('method_not_allowed')).toBe(true); // UNIMPLEMENTED is an error on gRPC servers
    expect(grpcError('not_found')).toBe(false);
    expect(grpcError('validation')).toBe(false);
    expect(grpcError('bad_gateway')).toBe(true);
    expect(capture(FaultError.of('unavailable')).grpcCode).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('exposes a trace id only inside a valid span context', () => {
    expect(activeTraceId()).toBeUndefined();
    trace.getTracer('test').startActiveSpan('op', (span) => {
      expect(activeTraceId()).toBe(span.spanContext().traceId);
      span.end();
    });
    const nonRecording = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });
    context.with(trace.setSpan(context.active(), nonRecording), () => {
      expect(activeTraceId()).toBeUndefined();
      expect(recordFault(capture(new Error('x')), { protocol: 'http' })).toBeUndefined();
    });
  });
});
