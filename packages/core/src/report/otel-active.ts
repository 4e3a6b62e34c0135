/**
 * Whether an OpenTelemetry logs SDK is registered. Without one, the logs API is not even loaded
 * (`otel-api.ts`), or the global provider is the API's
 * proxy with no delegate, and exception log records need not be built at all (which, with the
 * worker, spares sending redacted stacks back to the response thread).
 */
import { otelLogs } from './otel-api.js';

type Provider = { constructor?: { name?: string }; _getDelegate?: () => unknown };

/**
 * The last provider and delegate seen, and the verdict on them. Asked once per turn of the
 * reporter: reading the constructors' names each time (a function's `name` is read through a
 * native accessor) cost about 1k instructions per turn (callgrind). A new SDK registered later
 * sets a new delegate, or a new global provider: either makes the verdict be read again.
 */
let lastProvider: unknown;
let lastDelegate: unknown;
let lastVerdict = true;

/** The class name of `value`'s constructor, if any. */
function className(value: unknown): string | undefined {
  return (value as Provider | undefined)?.constructor?.name;
}

/** False when the logs API is not loaded (no SDK registered) or the global logger provider is known to be the no-op one. */
export function otelLogsActive(): boolean {
  const api = otelLogs();
  if (!api) return false;
  try {
    const provider = api.logs.getLoggerProvider() as Provider;
    const delegate = typeof provider._getDelegate === 'function' ? provider._getDelegate() : undefined;
    if (provider === lastProvider && delegate === lastDelegate) return lastVerdict;
    const name = className(provider);
    const verdict =
      name === 'NoopLoggerProvider'
        ? false
        : name !== 'ProxyLoggerProvider' || delegate === undefined
          ? true
          : className(delegate) !== 'NoopLoggerProvider';
    lastProvider = provider;
    lastDelegate = delegate;
    lastVerdict = verdict;
    return verdict;
  } catch {
    return true;
  }
}
