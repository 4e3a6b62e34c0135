/**
 * Real OpenTelemetry tracing for tests (`@faultline/testkit/tracing`, apart from the main entry so
 * only the tests that trace load the SDK): a NodeTracerProvider with an in-memory exporter and the
 * given instrumentations, registered globally, and fresh trace ids to find a request's spans by.
 */
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Spans captured in memory. */
export interface SpanCapture {
  readonly exporter: InMemorySpanExporter;
  /** Waits (up to `ms`, default 1 s) for the spans of `traceId` until `done` holds; returns them. */
  spansOf(traceId: string, done: (spans: ReadableSpan[]) => boolean, ms?: number): Promise<ReadableSpan[]>;
  /** Unregisters the instrumentations and shuts the provider down. */
  shutdown(): Promise<void>;
}

/**
 * Registers a provider exporting to memory and `instrumentations`. Call it before the modules
 * they patch are loaded.
 */
export function captureSpans(instrumentations: Instrumentation[]): SpanCapture {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations });
  return {
    exporter,
    async spansOf(traceId, done, ms = 1000) {
      const until = Date.now() + ms;
      for (;;) {
        const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
        if (done(spans) || Date.now() > until) return spans;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}

let traceCounter = 0;

/** A trace id no other test uses (32 hex digits, never all zeros). */
export function freshTraceId(): string {
  traceCounter += 1;
  return `${(Date.now() % 0xffffffff).toString(16).padStart(8, '0')}${traceCounter.toString(16).padStart(24, '0')}`;
}

/** A fresh trace id and the W3C `traceparent` header that makes a server span join it. */
export function freshTrace(): { traceId: string; traceparent: string } {
  const traceId = freshTraceId();
  return { traceId, traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
}

/** An HTTP answer fetched under a fresh trace. */
export interface TracedAnswer {
  readonly traceId: string;
  readonly status: number;
  /** The head's fields as one line of JSON, and the body: what a client sees. */
  readonly visible: string;
  /** The body parsed as JSON. */
  readonly body: { readonly code?: unknown; readonly request_id?: unknown };
}

/** GETs `url` under a fresh trace (its `traceparent` sent), bounded by `ms` (default 2 s). */
export async function fetchTraced(url: string, ms = 2000): Promise<TracedAnswer> {
  const { traceId, traceparent } = freshTrace();
  const res = await fetch(url, { headers: { traceparent }, signal: AbortSignal.timeout(ms) });
  const text = await res.text();
  return {
    traceId,
    status: res.status,
    visible: `${JSON.stringify(Object.fromEntries(res.headers))}\n${text}`,
    body: JSON.parse(text) as TracedAnswer['body'],
  };
}
