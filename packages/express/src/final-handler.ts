/**
 * What leaves an app's router unanswered goes to Express's own final handler (`finalhandler`):
 * its HTML page, `Cannot GET /path` or the error's text, with no id in the body, no record, and
 * (Express 5) `X-Powered-By`. Two ways there skip every middleware, Faultline's not-found and
 * error middleware included: a handler's `next('router')` at the app's top level (leave the
 * router: there is no router above), and a request target Node's URL parser refuses (`GET
 * http://[::1/x`: the router finds no path, and ends before its first middleware), which any
 * client can send.
 *
 * Express calls `app.handle(req, res, callback)` for each request and uses `finalhandler` only
 * when no callback is given (the app is the server's listener, not mounted in another app). The
 * request-id middleware, at an app's first request (Express has no start-up hook), makes the app's
 * `handle` pass Faultline's final handler as that callback; from then on, both ways end in
 * problem JSON. A request before that first one still meets `finalhandler`.
 *
 * The same `handle`, called as the server's listener, is where the request's own span is active
 * (the server span of an HTTP instrumentation): it is remembered there, for faults answered inside
 * a middleware (`fl.notFound`), where `@opentelemetry/instrumentation-express` made a span of its
 * own the active one and the id would mark that layer span instead of the request's.
 */
import { rememberActiveSpan } from '@faultline/core/adapter';
import type { ExpressRequest, ExpressResponse } from './types.js';

/** Faultline's final handler: `error` (undefined when nothing failed) for this request. */
export type FinalHandler = (error: unknown, request: ExpressRequest, response: ExpressResponse) => void;

/** Express's `app.handle`. */
type Handle = (this: unknown, request: ExpressRequest, response: ExpressResponse, callback?: unknown) => unknown;

/** Apps whose `handle` was looked at. */
const seen = new WeakSet<object>();

/**
 * Makes `app.handle` (Express 4 and 5) pass `final` when it is called without a callback, once
 * per app. Never throws: an app whose `handle` cannot be replaced keeps Express's.
 */
export function takeOverFinalHandler(app: unknown, final: FinalHandler): void {
  if (typeof app !== 'function' || seen.has(app)) return;
  seen.add(app);
  try {
    const holder = app as unknown as { handle?: unknown };
    const original = holder.handle;
    if (typeof original !== 'function') return;
    holder.handle = function handle(
      this: unknown,
      request: ExpressRequest,
      response: ExpressResponse,
      callback?: unknown,
    ) {
      if (typeof callback === 'function') return (original as Handle).call(this, request, response, callback);
      rememberActiveSpan(request);
      return (original as Handle).call(this, request, response, (error: unknown) => {
        final(error, request, response);
      });
    };
  } catch {
    // A frozen app, or a getter-only `handle`: Express's final handler stays.
  }
}
