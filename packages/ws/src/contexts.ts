/**
 * The capture contexts of the adapter's fault sources (`ws.socket`, `ws.connection`, and what
 * `fl.fail` is given), one reused object for each, so a failure allocates none.
 */
import type { CaptureContext, Classifier } from '@faultline/core/adapter';

/** Sources whose capture context is kept for reuse; a source past them gets a fresh one each time. */
const MAX_CACHED_SOURCES = 32;

/**
 * The context maker of an adapter: the context of `source`, cached for the first
 * {@link MAX_CACHED_SOURCES} sources, fresh for any later one.
 */
export function sourceContexts(classifiers: readonly Classifier[]): (source: string) => CaptureContext {
  const contextsBySource = new Map<string, CaptureContext>();
  return (source) => {
    let ctx = contextsBySource.get(source);
    if (ctx === undefined) {
      ctx = { classifiers, source };
      // `fail`'s source may come from what a client sent: never one entry for each.
      if (contextsBySource.size < MAX_CACHED_SOURCES) contextsBySource.set(source, ctx);
    }
    return ctx;
  };
}
