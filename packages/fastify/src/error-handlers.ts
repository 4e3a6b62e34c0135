/**
 * Error handlers that bypass Faultline's. Fastify lets any scope (`setErrorHandler`) or route
 * (`errorHandler`) format its own answers, and such a handler may write `err.message`, SQL or a
 * path to the client. Faultline cannot know what the application's handler writes, so it makes
 * the bypass visible: one warning at start-up naming the routes whose errors no longer reach
 * Faultline's handler, or, with `strictErrorHandlers`, an error at registration.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

/** Routes named in the warning at most; the rest are counted. */
const MAX_NAMED = 10;

/** What the plugin's `onRoute` hook reports for each route. */
export interface ErrorHandlerWatch {
  /** Records a route added in `scope` (throws under `strict` when it brings its own handler). */
  route(scope: FastifyInstance, routeOptions: RouteOptions): void;
}

/** The error raised by `strictErrorHandlers`. */
function strictError(what: string): Error {
  return new Error(
    `@faultline/fastify: strictErrorHandlers refuses ${what}: it would answer errors without Faultline, and may send ` +
      'their text to clients. Raise FaultError codes from a catalog (with params and translations) to shape answers, ' +
      'or call reply.send(error) from your handler to hand the error back to Faultline.',
  );
}

/**
 * Watches `app` for error handlers other than `ours` (Faultline's handler, and the bound copy
 * Fastify keeps of it): under `strict`, `setErrorHandler` (in this
 * scope and every child scope) and a route's own `errorHandler` throw; otherwise, at `onReady`,
 * one warning (a `FaultlineWarning` on stderr) lists the routes whose errors bypass Faultline.
 * `earlyRoutes`, called at `onReady`, names such routes built before the plugin loaded (the
 * `onRoute` hook never saw them): they are listed too, or, under `strict`, fail `ready`.
 */
export function watchErrorHandlers(
  app: FastifyInstance,
  ours: readonly unknown[],
  strict: boolean,
  earlyRoutes: () => readonly string[] = () => [],
): ErrorHandlerWatch {
  const routes: { scope: FastifyInstance; options: RouteOptions }[] = [];
  if (strict) {
    // Child scopes are created from this instance, so they inherit the refusing method.
    Object.defineProperty(app, 'setErrorHandler', {
      configurable: true,
      value: () => {
        throw strictError('setErrorHandler()');
      },
    });
  }
  app.addHook('onReady', (done) => {
    // Routes built before the plugin loaded, named by `earlyRoutes` (early-error-handlers.ts): refused only now.
    const early = earlyRoutes();
    if (strict && early.length > 0) {
      done(strictError(`the error handler of route ${early[0]} (registered before the plugin)`));
      return;
    }
    const bypassing: string[] = [...early];
    if (!ours.includes(app.errorHandler)) bypassing.push('the root scope (setErrorHandler after the plugin)');
    for (const { scope, options } of routes) {
      // A route's own handler, else its scope's handler as it stands once every plugin has loaded.
      const effective = options.errorHandler ?? scope.errorHandler;
      if (!ours.includes(effective)) bypassing.push(`${String(options.method)} ${options.url}`);
    }
    if (bypassing.length > 0) {
      const named = bypassing.slice(0, MAX_NAMED).join('; ');
      const more = bypassing.length > MAX_NAMED ? ` and ${bypassing.length - MAX_NAMED} more` : '';
      process.emitWarning(
        `@faultline/fastify: errors of ${named}${more} are answered by the application's own error handler, not Faultline's: ` +
          'its answers may carry error text to clients. Call reply.send(error) in that handler to hand errors back, ' +
          'or set strictErrorHandlers: true to refuse such handlers.',
        { type: 'FaultlineWarning', code: 'FAULTLINE_ERROR_HANDLER_BYPASS' },
      );
    }
    routes.length = 0;
    done();
  });
  return {
    route(scope, options) {
      if (strict && options.errorHandler !== undefined && !ours.includes(options.errorHandler)) {
        throw strictError(`the errorHandler of route ${String(options.method)} ${options.url}`);
      }
      routes.push({ scope, options });
    },
  };
}
