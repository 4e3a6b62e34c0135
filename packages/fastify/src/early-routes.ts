/**
 * Routes the plugin's `onRoute` hook never saw: registered before the plugin (on the root, in a
 * scope loaded earlier) or right after an `app.register(faultline)` that was not awaited, before
 * it loaded. Their failures are answered by Faultline through Fastify's default error handler
 * (default-error-handler.ts), and a 404 on one of their paths with another method is a 405 (they
 * are not in the plugin's shadow router: Fastify's own router is asked, `findRoute`). Fastify's
 * router, which holds their handlers and own `errorHandler`s, is private: their handlers are
 * guarded at each route's first request (early-handlers.ts), their error handlers once every
 * route is built (early-error-handlers.ts). When the default handler cannot be reached (a Fastify
 * version that reshaped its handler chain), one `FaultlineWarning` (`FAULTLINE_ROUTES_BEFORE_PLUGIN`)
 * names those routes.
 */
import type { FastifyInstance } from 'fastify';
import { type AnswerLookup, answerDefaultErrors } from './default-error-handler.js';
import type { MethodRouter } from './method-router.js';

/** Fastify's listing of an empty router (`printRoutes`). */
const EMPTY_TREE = '(empty tree)';

/** Route lines named in the warning at most. */
const MAX_NAMED = 10;

/** The routes already in `app`'s router, one `path (METHODS)` line each (Fastify's listing). */
function listedRoutes(app: FastifyInstance): string[] {
  let listing: string;
  try {
    listing = app.printRoutes({ commonPrefix: false });
  } catch {
    return [];
  }
  if (listing.trim() === EMPTY_TREE) return [];
  return listing
    .split('\n')
    .map((line) => line.replace(/^[\s│├└─]+/u, '').trim())
    .filter((line) => line.length > 0);
}

/**
 * Covers the routes registered in `app` before the plugin loaded: their errors are answered by
 * `lookup`'s handler, and `methods` also asks Fastify's router when a 404 could be a 405. Call
 * once per registration, before the plugin registers routes of its own. True when there are such
 * routes.
 */
export function coverEarlyRoutes(app: FastifyInstance, lookup: AnswerLookup, methods: MethodRouter): boolean {
  const answered = answerDefaultErrors(app, lookup);
  const early = listedRoutes(app);
  if (early.length === 0) return false;
  methods.addLookup(
    (method, path) => app.findRoute({ method: method as 'GET', url: path }) !== null,
    [...app.supportedMethods],
  );
  if (!answered) warnUnanswered(early);
  return true;
}

/** The warning naming the routes whose errors Fastify's default handler answers. */
function warnUnanswered(routes: readonly string[]): void {
  const named = routes.slice(0, MAX_NAMED).join('; ');
  const more = routes.length > MAX_NAMED ? ` and ${routes.length - MAX_NAMED} more` : '';
  process.emitWarning(
    `@faultline/fastify: routes registered before the plugin (${named}${more}) are answered by Fastify's default ` +
      'error handler in this Fastify version, which sends error messages to clients. Register the plugin first, ' +
      'right after creating the server, and await it.',
    { type: 'FaultlineWarning', code: 'FAULTLINE_ROUTES_BEFORE_PLUGIN' },
  );
}
