/**
 * The OpenTelemetry API packages, loaded only once an SDK has registered something (issue 21).
 *
 * Until an SDK registers a global (a tracer or logger provider, a context manager, a diagnostic
 * logger), the API's answers are fixed: no active span, the root context, the no-op logger
 * provider. Importing the API only to get those answers cost every process without OpenTelemetry
 * about 1.7 MB of start-up allocation (its CommonJS build is some 50 modules) and 0.35 MB of heap
 * kept, enough to tip V8 into doubling the young generation under load (`bench:young-steps`).
 *
 * So the API is imported when an SDK's global is seen: at core's import, when an adapter is set
 * up ({@link loadTelemetry}, which the Fastify plugin awaits), and on the first fault or request
 * that finds one. The import takes some milliseconds (7 ms here with the API already loaded by the
 * SDK): meanwhile the active context is read straight from the registry every copy of the API
 * shares ({@link registryContext}), and the reporter's turns wait for the logs API.
 */
import type { Context } from '@opentelemetry/api';

/** The `@opentelemetry/api` module. */
export type TraceApi = typeof import('@opentelemetry/api');
/** The `@opentelemetry/api-logs` module. */
export type LogsApi = typeof import('@opentelemetry/api-logs');

/** The keys under which the API packages keep what an SDK registers on the global object. */
const REGISTRIES = [Symbol.for('opentelemetry.js.api.1'), Symbol.for('io.opentelemetry.js.api.logs')] as const;
/** The context key of the active span (`createContextKey` in the API is `Symbol.for` of this name). */
export const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

let traceApi: TraceApi | undefined;
let logsApi: LogsApi | undefined;
let loading: Promise<void> | undefined;
let failed = false;

/** True once an OpenTelemetry SDK (or anything else) registered a global through the API packages. */
function registered(): boolean {
  const global = globalThis as unknown as Record<symbol, unknown>;
  return global[REGISTRIES[0]] !== undefined || global[REGISTRIES[1]] !== undefined;
}

/**
 * Imports the API packages if an SDK registered a global and they are not loaded yet, and returns
 * the import to wait for; `undefined` when there is nothing to wait for (loaded, or no SDK). Never
 * rejects: if the import fails (the peer dependency missing), OpenTelemetry stays unlinked and it
 * is not tried again.
 */
export function loadTelemetry(): Promise<void> | undefined {
  if (traceApi !== undefined || failed || !registered()) return undefined;
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
 * While the API's import is pending: the active context of the registered context manager, read
 * from the registry the API's copies share (what `context.active()` reads); `undefined` without one.
 */
export function registryContext(): Context | undefined {
  const registry = (globalThis as unknown as Record<symbol, { context?: { active?: () => Context } } | undefined>)[
    REGISTRIES[0]
  ];
  try {
    return registry?.context?.active?.();
  } catch {
    return undefined;
  }
}

/** The trace API once loaded; `undefined` before (no SDK: no span, no context to carry). */
export function otelTrace(): TraceApi | undefined {
  if (traceApi === undefined && loading === undefined) void loadTelemetry();
  return traceApi;
}

/** The logs API once loaded; `undefined` before (no SDK: the no-op logger provider). */
export function otelLogs(): LogsApi | undefined {
  if (logsApi === undefined && loading === undefined) void loadTelemetry();
  return logsApi;
}

void loadTelemetry();
