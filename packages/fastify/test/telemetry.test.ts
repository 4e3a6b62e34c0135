/**
 * The request's span carries the correlation id: a real OTel SDK, and a server whose request
 * handler runs inside an active span, as @opentelemetry/instrumentation-http arranges it.
 */
import { createServer } from 'node:http';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { addFailingRoutes } from './helpers.js';

const spans = new InMemorySpanExporter();

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
});
afterAll(() => {
  trace.disable();
  context.disable();
});

it('puts trace_id in the body and the request id on the span', async () => {
  const tracer = trace.getTracer('http');
  const app = Fastify({
    ...faultlineServerOptions(),
    serverFactory: (handler) =>
      createServer((req, res) => {
        const span = tracer.startSpan(`${req.method} request`);
        res.on('finish', () => span.end());
        context.with(trace.setSpan(context.active(), span), () => handler(req, res));
      }),
  });
  await app.register(faultline, { reporter: false });
  addFailingRoutes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  try {
    const res = await fetch(`http://127.0.0.1:${port}/refused`);
    const body = (await res.json()) as Record<string, string>;
    await new Promise((r) => setTimeout(r, 20));
    const [span] = spans.getFinishedSpans();
    expect(span).toBeDefined();
    expect(body.trace_id).toBe(span?.spanContext().traceId);
    expect(span?.attributes).toMatchObject({
      'app.error.id': body.request_id,
      'app.error.code': 'UNAVAILABLE',
      'error.type': 'UNAVAILABLE',
    });
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: body.detail });

    spans.reset();
    const notFound = await fetch(`http://127.0.0.1:${port}/orders/1`);
    const nfBody = (await notFound.json()) as Record<string, string>;
    await new Promise((r) => setTimeout(r, 20));
    const [nfSpan] = spans.getFinishedSpans();
    expect(nfSpan?.status.code).toBe(SpanStatusCode.UNSET);
    expect(nfSpan?.attributes['app.error.id']).toBe(nfBody.request_id);
  } finally {
    await app.close();
  }
});
