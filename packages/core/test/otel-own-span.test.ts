/**
 * `recordFault` with the request's own span (what the adapters remember as a request arrives),
 * under a real SDK: once that span has ended, the fault must not mark the span active where it is
 * answered when that span belongs to another trace (another request's, reached through a context
 * that leaked: a pool or a shared emitter calling back inside another request), and its log
 * record stays linked to the request's own span. A span of the same trace (a hook span of the
 * same request) still takes the id, and a live own span is marked whatever is active.
 */
import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { useOtelSdk } from './support/otel-sdk.js';
import { capture, createReporter, recordFault } from './support/source.js';

const { spans, logRecords } = useOtelSdk();

const tracer = () => trace.getTracer('test');
const dbError = () => new Error('connection to db.internal failed: password=hunter2');
const marked = (id: string) => spans.getFinishedSpans().filter((s) => s.attributes['app.error.id'] === id);

/** Records a fault for `own` while `active` is the active span; returns its id and trace id. */
async function recordUnder(own: Span, active: Span) {
  const reporter = createReporter({ logger: pino({ level: 'silent' }), dedupWindowMs: 0, flushOnExit: false });
  const fault = capture(dbError());
  const traceId = context.with(trace.setSpan(context.active(), active), () =>
    recordFault(fault, { protocol: 'http', reporter, span: own }),
  );
  await reporter.flush();
  await reporter.close();
  return { id: fault.id, traceId };
}

describe("recordFault with the request's own span", () => {
  it("an ended own span: another trace's active span is not marked, the log record is linked to the own span", async () => {
    const own = tracer().startSpan('GET /a');
    own.end();
    const other = tracer().startSpan('GET /b');
    const { id, traceId } = await recordUnder(own, other);
    other.end();
    expect(marked(id)).toEqual([]);
    const otherSpan = spans.getFinishedSpans().find((s) => s.name === 'GET /b');
    expect(otherSpan?.status.code).toBe(SpanStatusCode.UNSET);
    // The record's trace is the request's, not the other one's.
    expect(traceId).toBe(own.spanContext().traceId);
    const [record] = logRecords.getFinishedLogRecords();
    expect(record?.attributes['app.error.id']).toBe(id);
    expect(record?.spanContext?.spanId).toBe(own.spanContext().spanId);
  });

  it('an ended own span: an active span of its own trace (a hook span of the same request) takes the id', async () => {
    const own = tracer().startSpan('GET /a');
    const hook = tracer().startSpan('onResponse', {}, trace.setSpan(context.active(), own));
    own.end();
    const { id } = await recordUnder(own, hook);
    hook.end();
    expect(marked(id).map((s) => s.name)).toEqual(['onResponse']);
    expect(logRecords.getFinishedLogRecords()[0]?.spanContext?.spanId).toBe(hook.spanContext().spanId);
  });

  it('a live own span is marked, not the active one', async () => {
    const own = tracer().startSpan('GET /a');
    const other = tracer().startSpan('GET /b');
    const { id } = await recordUnder(own, other);
    own.end();
    other.end();
    expect(marked(id).map((s) => s.name)).toEqual(['GET /a']);
    expect(logRecords.getFinishedLogRecords()[0]?.spanContext?.spanId).toBe(own.spanContext().spanId);
  });
});
