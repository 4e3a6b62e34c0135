/**
 * The application's own error handlers on routes the plugin's `onRoute` hook never saw (registered
 * before the plugin loaded): a route's `errorHandler`, or a scope's `setErrorHandler` from before
 * the plugin. They stay the application's (its answers are its own), but, unwrapped, a thrown
 * string it rethrew or passed back with `reply.send(error)` went out as a 200 payload, secrets
 * included. So each is guarded as those seen later are (scope-error-handlers.ts: what goes in and
 * out of it reaches Faultline's handler as an error), and the routes are named in the bypass
 * warning (or refused under `strictErrorHandlers`) as routes seen later are (error-handlers.ts).
 *
 * Fastify's router, which holds each route's handler chain, is private (lib/route.js); its route
 * listing is not: `printRoutes({ includeMeta: ['errorHandler'] })` serialises each route's chain
 * with `JSON.stringify`, which calls `toJSON` on it, a method every chain inherits from its last
 * link. For the length of one listing, that method names each chain it is called on. Where this
 * Fastify lists routes some other way, nothing is found: those routes keep their handlers as they
 * are (the default handler itself still answers through Faultline: default-error-handler.ts).
 */
import type { FastifyInstance } from 'fastify';
import { type ErrorHandlerLink, isDispatcher, isLink, lastLink } from './default-error-handler.js';
import { guardErrorHandler, isGuardedErrorHandler } from './scope-error-handlers.js';

/** What a chain's `toJSON` returns during the listing: this prefix and the chain's index. */
const MARK = 'faultline-chain-';
const MARK_LINE = new RegExp(`• \\(errorHandler\\) "${MARK}(\\d+)"`, 'u');
/** A route line of the listing: tree glyphs, then `path (METHODS)`; a line without a branch glyph repeats the node above. */
const ROUTE_LINE = /^((?:[│ ] {3})*)(├── |└── )?(\S.*) \(([^)]*)\)$/u;
const MAX_LINKS = 64;

/** Each route's error handler chain, by index, and the listing naming them. */
function listChains(app: FastifyInstance, last: ErrorHandlerLink): { chains: object[]; listing: string } {
  const chains: object[] = [];
  const own = Object.getOwnPropertyDescriptor(last, 'toJSON');
  Object.defineProperty(last, 'toJSON', {
    value: function nameChain(this: object) {
      let index = chains.indexOf(this);
      if (index === -1) index = chains.push(this) - 1;
      return `${MARK}${index}`;
    },
    configurable: true,
    writable: true,
  });
  try {
    return { chains, listing: app.printRoutes({ commonPrefix: false, includeMeta: ['errorHandler'] }) };
  } catch {
    return { chains: [], listing: '' };
  } finally {
    if (own === undefined) delete (last as { toJSON?: unknown }).toJSON;
    else Object.defineProperty(last, 'toJSON', own);
  }
}

/**
 * Guards every application handler in `chain` not guarded yet (down to Fastify's default); true
 * when its first handler was such a one (a chain the plugin had seen starts with a guarded one).
 */
function guardChain(chain: object, ours: readonly unknown[]): boolean {
  let first: boolean | undefined;
  let link: unknown = chain;
  for (let i = 0; i < MAX_LINKS && isLink(link); i += 1, link = Object.getPrototypeOf(link)) {
    if (!Object.hasOwn(link, 'func')) continue;
    const func = link.func;
    const unseen = !ours.includes(func) && !isDispatcher(func) && !isGuardedErrorHandler(func);
    first ??= unseen;
    if (unseen) link.func = guardErrorHandler(func);
  }
  return first === true;
}

/**
 * Guards the application's error handlers on `app`'s routes that were registered before the
 * plugin loaded, and returns those routes (`METHODS path`) whose errors their own handler
 * answers first. Call once every route is built (`onReady`); `ours` are Faultline's handlers.
 */
export function guardEarlyErrorHandlers(app: FastifyInstance, ours: readonly unknown[]): string[] {
  const last = lastLink(app);
  if (last === undefined) return [];
  const { chains, listing } = listChains(app, last);
  const named: string[] = [];
  const decided = new Map<object, boolean>();
  const paths: string[] = []; // the path of the node at each depth of the listing
  let route = '';
  for (const line of listing.split('\n')) {
    const node = ROUTE_LINE.exec(line);
    if (node !== null) {
      const depth = (node[1] as string).length / 4 - (node[2] === undefined ? 1 : 0);
      const path = node[2] === undefined ? (node[3] as string) : `${paths[depth - 1] ?? ''}${node[3]}`;
      paths[depth] = node[2] === undefined ? (paths[depth] ?? path) : path;
      route = `${node[4]} ${paths[depth]}`;
      continue;
    }
    const mark = MARK_LINE.exec(line);
    const chain = mark === null ? undefined : chains[Number(mark[1])];
    if (chain === undefined || chain === last) continue;
    // A chain shared by several routes (a scope's) is guarded on its first route, and names them all.
    let bypass = decided.get(chain);
    if (bypass === undefined) {
      bypass = guardChain(chain, ours);
      decided.set(chain, bypass);
    }
    if (bypass) named.push(route);
  }
  return named;
}
