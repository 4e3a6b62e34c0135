/**
 * Handlers of routes registered before the plugin, guarded as the plugin's `onRoute` hook guards
 * the others (handler-guard.ts): a closing server answers 503 in their place, and what they throw
 * reaches Fastify's tracing channel as a value it reads safely. Unguarded, such a route ran its
 * handler while the server closed, and with a subscriber on Fastify's handler channels a Proxy
 * its async handler threw left the request unanswered.
 *
 * Fastify's router, which holds those routes' handlers, is private (early-routes.ts); the lists
 * their hooks are built from are not out of reach: at `preReady` Fastify binds each route's hooks
 * as `scopeList.concat(routeOptions[kind])` (lib/route.js; lib/four-oh-four.js for not-found
 * handlers), from the lists of the scope the route was registered in. So every route built from
 * the `onRequest` list of the plugin's scope, or of a scope created before the plugin, gets one
 * hook of the plugin's in front of its own. On the route's first request that hook replaces the
 * handler in the request's route context (Fastify reads it from there when it calls it, after the
 * hooks) with the guarded one, and takes itself out of the route's hooks: only that first request
 * runs through Fastify's hook runner for it. A route the plugin guarded already (registered after
 * it) keeps its handler (the guard knows the copy Fastify binds: handler-guard.ts), and so does a
 * not-found context (the plugin's not-found handler checks for itself). Where Fastify's lists
 * cannot be found (a Fastify version that reshaped them: early-registrations.ts warns), nothing
 * changes; where a request's route context cannot, the hook only calls `done` (the handler runs
 * as it was written).
 */
import type { FastifyRequest } from 'fastify';
import { fastifyInternal, fastifyScopes, fastifySymbol } from './fastify-symbols.js';
import { ownHook } from './hook-guards.js';

/** What a route handler becomes: the guarded handler (or the handler itself, guarded already). */
export type HandlerGuard = (handler: (this: never, request: never, reply: never) => unknown) => unknown;

/** The fields of Fastify's route context (lib/context.js) read and replaced here. */
interface RouteContext {
  handler?: unknown;
  onRequest?: unknown[] | null;
}

/** Fastify's route context of a request (`kRouteContext`), if found. */
type ContextLookup = (request: object) => RouteContext | undefined;

/** The route context lookup: the symbol is found on the first request that has it. */
function contextLookup(): ContextLookup {
  let key: symbol | undefined;
  return (request) => {
    key ??= fastifySymbol(request, 'fastify.context');
    const context = key === undefined ? undefined : (request as Record<symbol, unknown>)[key];
    return typeof context === 'object' && context !== null ? (context as RouteContext) : undefined;
  };
}

/**
 * The one-shot `onRequest` hook: guards the route's handler with `guard`, then leaves the route's
 * hooks. Its bound copies (Fastify binds every hook to its scope) are recorded, so it can find
 * itself among them.
 */
function adoptionHook(guard: HandlerGuard): (request: FastifyRequest, reply: unknown, done: () => void) => void {
  const copies = new WeakSet<object>();
  const contextOf = contextLookup();
  const adopt = function faultlineAdoptHandler(request: FastifyRequest, _reply: unknown, done: () => void): void {
    const context = contextOf(request);
    if (context !== undefined) {
      if (typeof context.handler === 'function' && !request.is404) {
        context.handler = guard(context.handler as (this: never, request: never, reply: never) => unknown);
      }
      // A new array: a request running the route's hooks now keeps iterating the one it has.
      const rest = Array.isArray(context.onRequest)
        ? context.onRequest.filter((hook) => !copies.has(hook as object))
        : [];
      context.onRequest = rest.length > 0 ? rest : null;
    }
    done();
  };
  Object.defineProperty(adopt, 'bind', {
    value: function bindAdoption(this: typeof adopt, scope: unknown) {
      const bound = Function.prototype.bind.call(this, scope) as object;
      copies.add(bound);
      return bound;
    },
    configurable: true,
    writable: true,
  });
  return ownHook(adopt);
}

/**
 * Guards, with `guard`, the handlers of the routes built from the hook lists of `app` and of the
 * scopes created under it so far (those registered before the plugin, and those after it in the
 * same scopes, which `guard` returns as they are), each at its first request. Call once, when the
 * plugin loads on a server that has routes registered before it.
 */
export function adoptEarlyHandlers(app: object, guard: HandlerGuard): void {
  const hook = adoptionHook(guard);
  for (const scope of fastifyScopes(app)) {
    const lists = fastifyInternal(scope, 'fastify.hooks') as { onRequest?: unknown } | undefined;
    const list = lists?.onRequest;
    if (!Array.isArray(list)) continue;
    // Over what early-registrations.ts put there (it guards the route's own hooks).
    const merge = list.concat as (this: unknown[], ...items: unknown[]) => unknown[];
    Object.defineProperty(list, 'concat', {
      value: function concatAdopting(this: unknown[], ...items: unknown[]) {
        return [hook, ...merge.apply(this, items)];
      },
      configurable: true,
      writable: true,
    });
  }
}
