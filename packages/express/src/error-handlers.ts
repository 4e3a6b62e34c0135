/**
 * Error middleware that answers before Faultline's. Express runs error middleware in the order it
 * was added, so a `(err, req, res, next)` handler registered before `fl.errorHandler` (at the top
 * or inside a router) answers errors itself and may write their text to the client. Faultline
 * cannot know what that handler writes; it makes the bypass visible with one warning, checked
 * once, at the first request (Express has no start-up hook).
 */
import { settleThrownPromise } from './settle.js';
import type { ErrorRequestHandler, ExpressRequest } from './types.js';

/** One entry of an Express (4 or 5) router stack, read structurally. */
interface Layer {
  readonly handle?: unknown;
  readonly name?: unknown;
  readonly route?: { readonly path?: unknown; readonly stack?: unknown } | undefined;
}

/** Routers looked into at most (deep or cyclic mounts are cut). */
const MAX_DEPTH = 8;

/** The router stack of an Express 5 (`app.router`) or Express 4 (`app._router`) app. */
function stackOf(app: unknown): readonly Layer[] | undefined {
  if (typeof app !== 'function' && (typeof app !== 'object' || app === null)) return undefined;
  const holder = app as { router?: { stack?: unknown }; _router?: { stack?: unknown } };
  const stack = holder.router?.stack ?? holder._router?.stack;
  return Array.isArray(stack) ? (stack as Layer[]) : undefined;
}

/** Names of the error middleware in `stack` (and the routers and routes it mounts). */
function errorMiddlewareIn(stack: readonly Layer[], depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) return;
  for (const layer of stack) {
    const handle = layer.handle;
    // Faultline's own last layer of each router (settle.ts) passes every error on.
    if (typeof handle !== 'function' || handle === settleThrownPromise) continue;
    if (handle.length === 4) out.push(handle.name === '' ? 'an anonymous error middleware' : `${handle.name}()`);
    const nested = (handle as { stack?: unknown }).stack;
    if (Array.isArray(nested)) errorMiddlewareIn(nested as Layer[], depth + 1, out);
    const routeStack = layer.route?.stack;
    if (Array.isArray(routeStack)) errorMiddlewareIn(routeStack as Layer[], depth + 1, out);
  }
}

/**
 * Warns once (a `FaultlineWarning` on stderr) when `ours` is not in the app's router stack, or
 * when error middleware stands before it. Never throws.
 */
export function warnAboutEarlierErrorHandlers(request: ExpressRequest, ours: ErrorRequestHandler): void {
  try {
    const stack = stackOf((request as { app?: unknown }).app);
    if (stack === undefined) return;
    const index = stack.findIndex((layer) => layer.handle === ours);
    let message: string | undefined;
    if (index === -1) {
      message =
        'fl.errorHandler is not in the app’s middleware stack: add app.use(fl.errorHandler) after every route, or errors reach Express’s own handler';
    } else {
      const earlier: string[] = [];
      errorMiddlewareIn(stack.slice(0, index), 0, earlier);
      if (earlier.length > 0) {
        message =
          `${earlier.slice(0, 10).join(', ')} ${earlier.length === 1 ? 'is' : 'are'} registered before fl.errorHandler and ` +
          'answer errors without Faultline: their answers may carry error text to clients. Call next(err) from them, ' +
          'or remove them and shape answers with catalog codes.';
      }
    }
    if (message !== undefined) {
      process.emitWarning(`@faultline/express: ${message}`, {
        type: 'FaultlineWarning',
        code: 'FAULTLINE_ERROR_HANDLER_BYPASS',
      });
    }
  } catch {
    // Reading the app's stack is best effort.
  }
}
