/**
 * Fastify's chain of error handlers, kept from ending at Fastify's own default handler while a
 * request can still be answered. Each scope's handler is a link whose prototype is the enclosing
 * scope's; when a handler's answer fails (an `onSend` hook throws) or the handler throws, Fastify
 * calls the next link. Faultline's handler is the root scope's link, and the next one is Fastify's
 * default handler, which sends `error.message` and applies `error.statusCode` and `error.headers`:
 * an application handler in front of Faultline's (a scope's `setErrorHandler`, a route's
 * `errorHandler`) that hands the error back with `reply.send(error)`, then an `onSend` hook
 * failing on Faultline's answer, reached it with the hook's error, text and headers included.
 *
 * A second link holding Faultline's handler goes under the first: a failure of Faultline's first
 * answer reaches Faultline again (which then writes that answer's bytes without hooks), whatever
 * handlers stand in front of it. The link is found on the instance by its symbol's description,
 * as the reply's header table is (reply-headers.ts); without it, nothing changes.
 */

/** Description of Fastify's `kErrorHandler` symbol (lib/symbols.js). */
const ERROR_HANDLER_DESCRIPTION = 'fastify.errorHandler';

/** A link of Fastify's error handler chain (lib/error-handler.js, `buildErrorHandler`). */
interface ErrorHandlerLink {
  readonly func?: unknown;
}

/**
 * Puts under the error handler `app` has just set a second link with the same function, so two
 * failures in a row are both Faultline's to handle. Returns false, changing nothing, when this
 * Fastify keeps its handlers some other way.
 */
export function doubleErrorHandler(app: object): boolean {
  const symbol = Object.getOwnPropertySymbols(app).find((s) => s.description === ERROR_HANDLER_DESCRIPTION);
  if (symbol === undefined) return false;
  const holder = app as Record<symbol, unknown>;
  const link = holder[symbol] as ErrorHandlerLink | null | undefined;
  if (typeof link !== 'object' || link === null || typeof link.func !== 'function') return false;
  // Fastify reads `func` of a link and moves on to the link's prototype: same function, one link deeper.
  holder[symbol] = Object.create(link, { func: { value: link.func, enumerable: true, writable: true } });
  return true;
}
