/**
 * Hooks and content-type parsers registered before the plugin, guarded in place. The plugin
 * guards what is added after it by wrapping `addHook` and `addContentTypeParser` (hook-guards.ts,
 * parser-guard.ts); what came before is already in Fastify's lists, which Fastify reads only
 * later: a route's hooks are bound from its scope's lists at `preReady` (lib/route.js), and a
 * parser is looked up in its scope's table per request (lib/content-type-parser.js). So each
 * element of those lists is replaced with its guarded wrapper, in the plugin's scope and in the
 * encapsulated scopes created before it (each holds copies of its own), and what Fastify adds to
 * them later from an `addHook` called before the plugin loaded is guarded on the way in (the
 * plugin's own hooks are marked `ownHook` and left as they are). Unguarded, such a hook
 * throwing `null` passed for success (an `onRequest` authentication hook let the handler run, an
 * `onSend` hook sent a 200 with an empty body), a hostile thenable it returned was an uncaught
 * exception, and such a parser throwing or rejecting with `null` ran the handler with no body.
 *
 * Left as they are: Fastify's own two parsers (they never fail that way, and wrapping the JSON
 * one would make Fastify refuse an application's own `application/json` parser added later), and
 * `@fastify/otel`'s span hooks (`registerOnInitialization` adds them to every new instance: they
 * only start and end spans, and run as they were written). Fastify's lists are internal, found by
 * their symbols' descriptions (fastify-symbols.ts): when a Fastify version renames or reshapes
 * them, nothing can be guarded, and one `FaultlineWarning` (`FAULTLINE_REGISTERED_BEFORE_PLUGIN`,
 * once per process) says which list could not be reached. Runs once per registration.
 */
import { fastifyInternal as internal, fastifyScopes as scopesOf } from './fastify-symbols.js';
import { GUARDED_HOOKS, guardNamed, type HookFaultSinks } from './hook-guards.js';
import { guardParser } from './parser-guard.js';

/** Hooks of `@fastify/otel`, left as they are (by their function names). */
const INSTRUMENTATION_HOOKS: ReadonlySet<string> = new Set(['startRequestSpanHook', 'finalizeNotFoundSpanHook']);

let warned = false;

/** Fastify's parser table as the plugin uses it. */
interface ParserTable {
  customParsers: Map<unknown, { fn?: unknown }>;
  cache?: { clear?: () => void };
}

/** True for Fastify's hook lists (one array per hook kind). */
function isHookLists(value: unknown): value is Record<string, unknown[]> {
  return typeof value === 'object' && value !== null && Array.isArray((value as { onRequest?: unknown }).onRequest);
}

/** True for Fastify's content-type parser table. */
function isParserTable(value: unknown): value is ParserTable {
  return typeof value === 'object' && value !== null && (value as ParserTable).customParsers instanceof Map;
}

/**
 * Every hook of a guarded kind in `lists`, replaced with its guarded wrapper; and the hooks
 * Fastify adds to them from now on, guarded on the way in. That reaches what `addHook` called
 * before the plugin loaded still holds: Fastify adds a lifecycle hook once the plugins queued
 * before it have loaded, so `app.register(faultline); app.addHook(...)` (no `await`) adds the
 * hook after the plugin, past the plugin's `addHook`.
 */
function guardHookLists(lists: Record<string, unknown[]>, sinks: HookFaultSinks): void {
  const add = (lists as { add?: unknown }).add;
  if (typeof add === 'function') {
    Object.defineProperty(lists, 'add', {
      value: function addGuarded(this: unknown, name: string, hook: unknown) {
        return add.call(this, name, guardNamed(name, hook, sinks));
      },
      configurable: true,
      writable: true,
    });
  }
  for (const kind of GUARDED_HOOKS) {
    const list = lists[kind];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i += 1) {
      const hook = list[i] as { name?: unknown } | undefined;
      if (typeof hook === 'function' && INSTRUMENTATION_HOOKS.has(hook.name as string)) continue;
      list[i] = guardNamed(kind, hook, sinks);
    }
    guardRouteHookMerge(list, kind, sinks);
  }
}

/**
 * The hooks a route gives in its own options, guarded as the scope's are: at `preReady` Fastify
 * binds each route's hooks as `scopeList.concat(routeOptions[kind])` (lib/route.js, and
 * lib/four-oh-four.js for not-found handlers), and a route registered before the plugin loaded
 * was never seen by the plugin's `onRoute` hook (a route-level `onRequest` hook throwing `null`
 * let its handler run). Hooks already guarded pass as they are.
 */
function guardRouteHookMerge(list: unknown[], kind: string, sinks: HookFaultSinks): void {
  const guardOne = (hook: unknown) => guardNamed(kind, hook, sinks);
  Object.defineProperty(list, 'concat', {
    value: function concatGuarded(this: unknown[], ...items: unknown[]) {
      const guarded = items.map((item) => (Array.isArray(item) ? item.map(guardOne) : guardOne(item)));
      return Array.prototype.concat.apply(this, guarded);
    },
    configurable: true,
    writable: true,
  });
}

/**
 * Every parser of the application's in `table` replaced with a copy of its record holding the
 * guarded function (the record itself may be shared with other scopes' tables: they keep theirs).
 */
function guardParserTable(table: ParserTable, defaults: readonly unknown[]): void {
  for (const [key, record] of table.customParsers) {
    if (typeof record !== 'object' || record === null || typeof record.fn !== 'function') continue;
    if (defaults.includes(record.fn)) continue;
    const fn = guardParser(record.fn);
    if (fn === record.fn) continue;
    table.customParsers.set(key, Object.assign(Object.create(Object.getPrototypeOf(record) as object), record, { fn }));
  }
  // Fastify caches records by content type; nothing is cached before the first request, but a stale one would be unguarded.
  table.cache?.clear?.();
}

/**
 * Guards, in place, the hooks (of the kinds hook-guards.ts guards) and content-type parsers
 * already registered in `app` and the encapsulated scopes created under it. Call once, before
 * the plugin adds hooks or parsers of its own. What cannot be reached is named in one warning.
 */
export function guardEarlyRegistrations(app: object, sinks: HookFaultSinks): void {
  const unreachable: string[] = [];
  const scopes = scopesOf(app);
  for (const scope of scopes) {
    const lists = internal(scope, 'fastify.hooks');
    if (isHookLists(lists)) guardHookLists(lists, sinks);
    else if (scope === app) unreachable.push("hooks (Fastify's hook lists were not found under fastify.hooks)");
    const table = internal(scope, 'fastify.contentTypeParser');
    if (isParserTable(table)) {
      // Fastify's own parsers: its JSON parser (kept per table) and its text parser (public on the instance).
      guardParserTable(table, [
        internal(table, 'fastify.defaultJSONParse'),
        (scope as { defaultTextParser?: unknown }).defaultTextParser,
      ]);
    } else if (scope === app) {
      unreachable.push("content-type parsers (Fastify's parser table was not found under fastify.contentTypeParser)");
    }
  }
  if (unreachable.length > 0) warnUnreachable(unreachable);
}

/** The one warning naming what could not be guarded. */
function warnUnreachable(unreachable: readonly string[]): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    `@faultline/fastify: ${unreachable.join(' and ')} registered before the plugin could not be reached in this ` +
      'Fastify version and are not guarded: a falsy value they throw (throw null) passes for success and the ' +
      'route handler runs. Register the plugin first, right after creating the server.',
    { type: 'FaultlineWarning', code: 'FAULTLINE_REGISTERED_BEFORE_PLUGIN' },
  );
}
