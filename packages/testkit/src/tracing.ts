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
  /**
   * The spans of one call's trace once its server and client spans ended (at most `ms`, default
   * 3 s), with the first of each kind.
   */
  exchangeOf(traceId: string, ms?: number): Promise<ExchangeSpans>;
  /** Every finished span whose `attribute` is `value` (which spans carry a fault's id). */
  holding(attribute: string, value: unknown): ReadableSpan[];
  /** Unregisters the instrumentations and shuts the provider down. */
  shutdown(): Promise<void>;
}

/** A call's spans: all of its trace, and its server and client spans. */
export interface ExchangeSpans {
  readonly spans: ReadableSpan[];
  readonly server: ReadableSpan | undefined;
  readonly client: ReadableSpan | undefined;
}

/** The kind numbers of `SpanKind` (`@opentelemetry/api`), read here without importing the API. */
const SERVER_KIND = 1;
const CLIENT_KIND = 2;

/** What an in-memory log record exporter holds, as far as the checks read it. */
export interface LogRecordSource {
  getFinishedLogRecords(): readonly {
    readonly attributes: Readonly<Record<string, unknown>>;
    readonly spanContext?: { readonly traceId: string; readonly spanId: string } | undefined;
  }[];
}

/** The log records whose `attribute` is `value`, once there is one (at most `ms`, default 3 s). */
export async function logRecordsWith(source: LogRecordSource, attribute: string, value: unknown, ms = 3000) {
  const until = Date.now() + ms;
  for (;;) {
    const records = source.getFinishedLogRecords().filter((r) => r.attributes[attribute] === value);
    if (records.length > 0 || Date.now() > until) return records;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
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
  const spansOf = async (traceId: string, done: (spans: ReadableSpan[]) => boolean, ms = 1000) => {
    const until = Date.now() + ms;
    for (;;) {
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      if (done(spans) || Date.now() > until) return spans;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    exporter,
    spansOf,
    async exchangeOf(traceId, ms = 3000) {
      const ofKind = (spans: ReadableSpan[], kind: number) => spans.find((span) => span.kind === kind);
      const spans = await spansOf(
        traceId,
        (found) => ofKind(found, SERVER_KIND) !== undefined && ofKind(found, CLIENT_KIND) !== undefined,
        ms,
      );
      return { spans, server: ofKind(spans, SERVER_KIND), client: ofKind(spans, CLIENT_KIND) };
    },
    holding(attribute, value) {
      return exporter.getFinishedSpans().filter((span) => span.attributes[attribute] === value);
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
