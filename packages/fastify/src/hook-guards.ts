/**
 * The application's hooks, guarded where Fastify would mishandle what they throw: preHandler
 * hooks (handler-guard.ts: values Fastify cannot read safely) and the hooks whose failures never
 * reach an error handler (late-hooks.ts: recorded under the request's id instead). Both hooks
 * added with `addHook` after the plugin, in its scope and the scopes it encloses, and a route's
 * own hooks (from the plugin's `onRoute` hook) are guarded.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { guardHook } from './handler-guard.js';
import { guardLateHook, type HookFaultRecorder, isLateHook, LATE_HOOKS } from './late-hooks.js';

/** `hook` guarded for the hook name it is registered under, or as it is. */
function guardNamed(name: string, hook: unknown, record: HookFaultRecorder): unknown {
  if (typeof hook !== 'function') return hook;
  if (name === 'preHandler') return guardHook(hook as () => unknown);
  return isLateHook(name) ? guardLateHook(name, hook, record) : hook;
}

/**
 * Hooks added with `addHook` from now on, on `app` and the scopes it encloses, are guarded
 * (child scopes are created from this instance, so they inherit the guarding method).
 */
export function guardAddedHooks(app: FastifyInstance, record: HookFaultRecorder): void {
  const addHook = app.addHook as (this: FastifyInstance, name: string, hook: unknown) => FastifyInstance;
  (app as { addHook: unknown }).addHook = function addGuardedHook(this: FastifyInstance, name: string, hook: unknown) {
    return addHook.call(this, name, guardNamed(name, hook, record));
  };
}

/** A route's own preHandler and late hooks, guarded in place (from an `onRoute` hook). */
export function guardRouteHooks(routeOptions: RouteOptions, record: HookFaultRecorder): void {
  const preHandler = routeOptions.preHandler;
  if (preHandler !== undefined) {
    routeOptions.preHandler = Array.isArray(preHandler)
      ? preHandler.map((hook) => guardHook(hook))
      : guardHook(preHandler);
  }
  const hooks = routeOptions as unknown as Record<string, unknown>;
  // Route options may hold each as a function or an array of them.
  for (const name of LATE_HOOKS) {
    const value = hooks[name];
    if (value === undefined) continue;
    hooks[name] = Array.isArray(value)
      ? value.map((hook: unknown) => guardNamed(name, hook, record))
      : guardNamed(name, value, record);
  }
}
