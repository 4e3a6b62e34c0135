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

/** What {@link requestTraced} sends besides the trace: a method, a JSON body, and its bound in ms. */
export interface TracedRequest {
  readonly method?: string;
  readonly body?: string;
  readonly ms?: number;
}

/**
 * Sends a request to `url` under a fresh trace (its `traceparent` sent; a body as JSON), bounded
 * by `ms` (default 3 s); resolves with the trace id, the response and its text.
 */
export async function requestTraced(
  url: string,
  request: TracedRequest = {},
): Promise<{ traceId: string; response: Response; text: string }> {
  const { traceId, traceparent } = freshTrace();
  const headers: Record<string, string> = { traceparent };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: request.method ?? 'GET',
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    signal: AbortSignal.timeout(request.ms ?? 3000),
  });
  return { traceId, response, text: await response.text() };
}

/** GETs `url` under a fresh trace (its `traceparent` sent), bounded by `ms` (default 2 s). */
export async function fetchTraced(url: string, ms = 2000): Promise<TracedAnswer> {
  const { traceId, response, text } = await requestTraced(url, { ms });
  return {
    traceId,
    status: response.status,
    visible: `${JSON.stringify(Object.fromEntries(response.headers))}\n${text}`,
    body: JSON.parse(text) as TracedAnswer['body'],
  };
}
