/**
 * Whether an OpenTelemetry logs SDK is registered. Without one, the global provider is the API's
 * proxy with no delegate, and exception log records need not be built at all (which, with the
 * worker, spares sending redacted stacks back to the response thread).
 */
import { logs } from '@opentelemetry/api-logs';

/** False only when the global logger provider is known to be the no-op one. */
export function otelLogsActive(): boolean {
  try {
    const provider = logs.getLoggerProvider() as { constructor?: { name?: string }; _getDelegate?: () => unknown };
    if (provider.constructor?.name === 'NoopLoggerProvider') return false;
    if (provider.constructor?.name !== 'ProxyLoggerProvider' || typeof provider._getDelegate !== 'function')
      return true;
    const delegate = provider._getDelegate() as { constructor?: { name?: string } } | undefined;
    return delegate?.constructor?.name !== 'NoopLoggerProvider';
  } catch {
    return true;
  }
}
