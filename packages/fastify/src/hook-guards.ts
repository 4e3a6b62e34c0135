/**
 * The application's hooks, guarded where Fastify would mishandle what they throw: the hooks
 * before the handler (hook-hijack.ts: a failure after `reply.hijack()`, which Fastify drops),
 * preHandler hooks (handler-guard.ts: values Fastify cannot read safely), the hooks whose
 * failures never reach an error handler (late-hooks.ts: recorded under the request's id instead)
 * and `onSend` and `preSerialization` hooks (send-hooks.ts: a falsy value thrown is a failure).
 * Both hooks added with `addHook` after the plugin, in its scope and the scopes it encloses, and a
 * route's own hooks (from the plugin's `onRoute` hook) are guarded; those added before the plugin
 * are guarded in Fastify's lists at registration (early-registrations.ts).
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { guardHook } from './handler-guard.js';
import type { HijackedFault } from './hijack-watch.js';
import { EARLY_HOOKS, watchHookHijack } from './hook-hijack.js';
import { guardLateHook, type HookFaultRecorder, isLateHook, LATE_HOOKS } from './late-hooks.js';
import { guardSendHook, isSendHook, SEND_HOOKS } from './send-hooks.js';

/** What the guards call: `record` for a late hook's failure, `hijacked` for one after `reply.hijack()`. */
export interface HookFaultSinks {
  readonly record: HookFaultRecorder;
  readonly hijacked: HijackedFault;
}

/** What {@link guardNamed} returned, so a hook it sees again (through two of its callers) is wrapped once. */
const named = new WeakSet<object>();

/** `hook` guarded for the hook name it is registered under, or as it is (a kind not guarded here). */
export function guardNamed(name: string, hook: unknown, sinks: HookFaultSinks): unknown {
  if (typeof hook !== 'function' || named.has(hook)) return hook;
  let guarded: unknown;
  if (isLateHook(name)) guarded = guardLateHook(name, hook, sinks.record);
  else if (isSendHook(name)) guarded = guardSendHook(hook);
  else {
    const watched = watchHookHijack(name, hook, sinks.hijacked);
    guarded = name === 'preHandler' ? guardHook(watched as () => unknown) : watched;
  }
  if (guarded !== hook) named.add(guarded as object);
  return guarded;
}

/** `hook`, marked as the plugin's own: {@link guardNamed} leaves it as it is (it needs no guard, and runs on every request). */
export function ownHook<F extends object>(hook: F): F {
  named.add(hook);
  return hook;
}

/**
 * Hooks added with `addHook` from now on, on `app` and the scopes it encloses, are guarded
 * (child scopes are created from this instance, so they inherit the guarding method).
 */
export function guardAddedHooks(app: FastifyInstance, sinks: HookFaultSinks): void {
  const addHook = app.addHook as (this: FastifyInstance, name: string, hook: unknown) => FastifyInstance;
  (app as { addHook: unknown }).addHook = function addGuardedHook(this: FastifyInstance, name: string, hook: unknown) {
    return addHook.call(this, name, guardNamed(name, hook, sinks));
  };
}

/** The hook kinds guarded here (as a route's own, or in a scope's hook lists). */
export const GUARDED_HOOKS: readonly string[] = [...EARLY_HOOKS, ...LATE_HOOKS, ...SEND_HOOKS];

/** A route's own hooks, guarded in place (from an `onRoute` hook). */
export function guardRouteHooks(routeOptions: RouteOptions, sinks: HookFaultSinks): void {
  const hooks = routeOptions as unknown as Record<string, unknown>;
  // Route options may hold each as a function or an array of them.
  for (const name of GUARDED_HOOKS) {
    const value = hooks[name];
    if (value === undefined) continue;
    hooks[name] = Array.isArray(value)
      ? value.map((hook: unknown) => guardNamed(name, hook, sinks))
      : guardNamed(name, value, sinks);
  }
}
