/**
 * The OpenTelemetry API packages, loaded only once an SDK has registered something (issue 21).
 *
 * Until an SDK registers a global (a tracer or logger provider, a context manager, a diagnostic
 * logger), the API's answers are fixed: no active span, the root context, the no-op logger
 * provider. Importing the API only to get those answers cost every process without OpenTelemetry
 * about 1.7 MB of start-up allocation (its CommonJS build is some 50 modules) and 0.35 MB of heap
 * kept, which count toward V8's growth of the young generation under load (`bench:young-steps`).
 *
 * So the API is imported when an SDK's global is seen: at core's import, when an adapter is set
 * up ({@link loadTelemetry}, which the Fastify plugin awaits), and on the first fault or request
 * that finds one. The import takes some milliseconds (7 ms here with the API already loaded by the
 * SDK): meanwhile the active context is read straight from the registry every copy of the API
 * shares ({@link activeContext}), and the reporter's turns wait for the logs API.
 */
import type { Context } from '@opentelemetry/api';

/** The `@opentelemetry/api` module. */
export type TraceApi = typeof import('@opentelemetry/api');
/** The `@opentelemetry/api-logs` module. */
export type LogsApi = typeof import('@opentelemetry/api-logs');

/** What an SDK registers through the trace API, on the global object (the registry its copies share). */
interface TraceRegistry {
  readonly context?: { readonly active?: () => Context };
}
/** The global object, read by symbol. */
const GLOBAL = globalThis as unknown as Record<symbol, unknown>;
/** Where the trace API keeps its registry (major version 1). */
const TRACE_KEY = Symbol.for('opentelemetry.js.api.1');
/** Where the logs API keeps the registered logger provider. */
const LOGS_KEY = Symbol.for('io.opentelemetry.js.api.logs');
/** The context key of the active span (`createContextKey` in the API is `Symbol.for` of this name). */
export const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

let traceApi: TraceApi | undefined;
let logsApi: LogsApi | undefined;
let loading: Promise<void> | undefined;
let failed = false;

/** Starts the import once (its promise); never rejects. */
function startImport(): Promise<void> {
  loading ??= Promise.all([import('@opentelemetry/api'), import('@opentelemetry/api-logs')]).then(
    ([trace, logs]) => {
      traceApi = trace;
      logsApi = logs;
    },
    () => {
      failed = true;
    },
  );
  return loading;
}

/**
 * Imports the API packages if an SDK registered a global and they are not loaded yet, and returns
 * the import to wait for; `undefined` when there is nothing to wait for (loaded, or no SDK). Never
 * rejects: if the import fails (the peer dependency missing), OpenTelemetry stays unlinked and it
 * is not tried again.
 */
export function loadTelemetry(): Promise<void> | undefined {
  if (traceApi !== undefined || failed) return undefined;
  return GLOBAL[TRACE_KEY] !== undefined || GLOBAL[LOGS_KEY] !== undefined ? startImport() : undefined;
}

/**
 * The active context: through the trace API once loaded, else through the registry every copy of
 * the API shares (what `context.active()` reads), starting the import; `undefined` without an SDK.
 * One lookup on the global object when there is none: it runs for every fault and request.
 */
export function activeContext(): Context | undefined {
  if (traceApi !== undefined) return traceApi.context.active();
  const registry = GLOBAL[TRACE_KEY] as TraceRegistry | undefined;
  if (registry === undefined || failed) return undefined;
  void startImport();
  try {
    return registry.context?.active?.();
  } catch {
    return undefined;
  }
}

/** The trace API once loaded (a span exists only then, or through {@link activeContext}). */
export function otelTrace(): TraceApi | undefined {
  return traceApi;
}

/**
 * The logs API once loaded; `null` while it loads (a logger provider was registered, its import
 * has started); `undefined` without one (the no-op provider: no records to make). One lookup on
 * the global object when there is none.
 */
export function otelLogs(): LogsApi | null | undefined {
  if (logsApi !== undefined) return logsApi;
  if (failed || GLOBAL[LOGS_KEY] === undefined) return undefined;
  void startImport();
  return failed ? undefined : null;
}

/** The import to wait for while a registered logger provider's API loads ({@link otelLogs} is `null`). */
export function logsLoading(): Promise<void> | undefined {
  return otelLogs() === null ? loading : undefined;
}

void loadTelemetry();
