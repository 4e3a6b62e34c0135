/**
 * Core imports the OpenTelemetry API only once an SDK registered something (issue 21), and links
 * the active span in the milliseconds its import takes through the registry every copy of the API
 * shares: a request that arrives right after the SDK started is linked like any other.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTelemetry, otelTrace, SPAN_KEY } from '../src/report/otel-api.js';
import { activeSpan, captureContext } from '../src/report/telemetry.js';

afterAll(() => {
  trace.disable();
  context.disable();
});

describe('the OpenTelemetry API, loaded once an SDK registered', () => {
  it('without an SDK: nothing to wait for, no API, no span, no context', async () => {
    expect(loadTelemetry()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(otelTrace()).toBeUndefined();
    expect(activeSpan()).toBeUndefined();
    expect(captureContext()).toBeUndefined();
  });

  it('right after an SDK registered: the active span through the registry, then through the API', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    const span = trace.getTracer('test').startSpan('request');
    const seen = context.with(trace.setSpan(context.active(), span), () => {
      // The import has not resolved yet: the registry answers.
      const pending = otelTrace() === undefined;
      const other = trace.getTracer('test').startSpan('other');
      return { pending, active: activeSpan(), linked: captureContext(other)?.getValue(SPAN_KEY) === other };
    });
    expect(seen).toEqual({ pending: true, active: span, linked: true });
    await loadTelemetry();
    expect(otelTrace()).toBeDefined();
    expect(context.with(trace.setSpan(context.active(), span), () => activeSpan())).toBe(span);
    expect(activeSpan()).toBeUndefined();
  });
});
