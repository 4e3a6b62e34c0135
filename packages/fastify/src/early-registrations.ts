/**
 * Hooks and content-type parsers registered before the plugin. The plugin guards what is added
 * after it (hook-guards.ts, parser-guard.ts): Fastify binds the hooks it already holds into each
 * route's context and has no public way to read or replace them, nor to read a parser back. So a
 * hook registered before the plugin that throws `null` synchronously still passes for success
 * (the handler runs), one that hijacks and then fails still leaves its client waiting, a late
 * hook's failure is still Fastify's raw log line, and a parser registered before it that throws
 * or rejects with `null` still runs the handler. The plugin cannot fix that; it says so, once per
 * process, at registration, naming what it found. Fastify's lists are internal: they are found
 * by their symbols' descriptions, and if a Fastify version renames them there is no warning.
 * Runs once per registration; nothing per request.
 */
import { fastifySymbol } from './fastify-symbols.js';
import { EARLY_HOOKS } from './hook-hijack.js';
import { LATE_HOOKS } from './late-hooks.js';

/** The hook kinds the plugin guards when they are added after it. */
const GUARDED_HOOKS = [...EARLY_HOOKS, ...LATE_HOOKS];

/**
 * Hooks of instrumentation that registers itself on every new instance, before any plugin
 * (`@fastify/otel` with `registerOnInitialization`): they only start and end spans, so naming them
 * would only teach users to ignore the warning.
 */
const INSTRUMENTATION_HOOKS: ReadonlySet<string> = new Set(['startRequestSpanHook', 'finalizeNotFoundSpanHook']);

/** Fastify's own parsers (always present unless removed). */
const DEFAULT_PARSERS = new Set(['application/json', 'text/plain']);

let warned = false;

/** The value of `app`'s property (own or inherited) whose symbol is described as `description`. */
function internal(app: object, description: string): unknown {
  const symbol = fastifySymbol(app, description);
  return symbol === undefined ? undefined : (app as Record<symbol, unknown>)[symbol];
}

/** "onRequest (2)"-style names of the guarded hook kinds `app` holds already. */
function earlyHooks(app: object): string[] {
  const hooks = internal(app, 'fastify.hooks') as Record<string, unknown> | undefined;
  if (typeof hooks !== 'object' || hooks === null) return [];
  const found: string[] = [];
  for (const kind of GUARDED_HOOKS) {
    const list = hooks[kind];
    if (!Array.isArray(list)) continue;
    const own = list.filter((hook) => !INSTRUMENTATION_HOOKS.has((hook as { name?: unknown } | null)?.name as string));
    if (own.length > 0) found.push(`${kind} (${own.length})`);
  }
  return found;
}

/** How many content-type parsers of the application's `app` holds already. */
function earlyParsers(app: object): number {
  const parsers = internal(app, 'fastify.contentTypeParser') as { customParsers?: unknown } | undefined;
  const map = parsers?.customParsers;
  if (!(map instanceof Map)) return 0;
  let count = 0;
  for (const key of map.keys()) if (!DEFAULT_PARSERS.has(key as string)) count += 1;
  return count;
}

/**
 * Emits one `FaultlineWarning` (`FAULTLINE_REGISTERED_BEFORE_PLUGIN`, once per process) when `app`
 * already holds hooks of the kinds the plugin guards, or content-type parsers of the application's.
 */
export function warnEarlyRegistrations(app: object): void {
  if (warned) return;
  const hooks = earlyHooks(app);
  const parsers = earlyParsers(app);
  if (hooks.length === 0 && parsers === 0) return;
  warned = true;
  const found = [
    ...(hooks.length > 0 ? [`hooks ${hooks.join(', ')}`] : []),
    ...(parsers > 0 ? [`${parsers} content-type parser${parsers === 1 ? '' : 's'}`] : []),
  ].join(' and ');
  process.emitWarning(
    `@faultline/fastify: ${found} were registered before the plugin and are not guarded: a falsy value they throw ` +
      '(throw null) passes for success and the route handler runs, and a hook that fails after reply.hijack() ' +
      'leaves its client waiting. Register the plugin first, right after creating the server.',
    { type: 'FaultlineWarning', code: 'FAULTLINE_REGISTERED_BEFORE_PLUGIN' },
  );
}
