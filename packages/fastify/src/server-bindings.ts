/**
 * Every server a Fastify instance listens with. `listen({ host: 'localhost' })` (Fastify's default
 * host) binds the first address `localhost` resolves to with `app.server`, and creates one more
 * server per other address (`::1` next to `127.0.0.1`) that shares only the request handler and
 * `'upgrade'`: Fastify attaches `clientErrorHandler` (Faultline's, from `faultlineServerOptions`)
 * to `app.server` alone, and Faultline's `'checkExpectation'` listener was on `app.server` alone.
 * On the other server, malformed HTTP got Node's bare `400 Bad Request` and `Expect: foo` Node's
 * bare 417, no body, no id, no record. Once the instance listens, each extra server gets the
 * `'clientError'` and `'checkExpectation'` listeners `app.server` has (when it has none of its
 * own), so both addresses answer alike.
 *
 * Fastify keeps the extra servers in an internal list (what `app.addresses()` reads), with no
 * public accessor: it is found by its symbol's description, and when a Fastify version renames it
 * nothing is mirrored (the listeners on `app.server` are unaffected). Nothing runs per request.
 */
import { ignoreUnknownExpectations } from '@faultline/core/adapter';
import type { FastifyInstance } from 'fastify';
import { fastifySymbol } from './fastify-symbols.js';

/** Server events whose listeners Faultline relies on, mirrored onto the extra servers. */
const MIRRORED = ['clientError', 'checkExpectation'] as const;

/** The part of a Node server used here. */
interface EventServer {
  listeners(event: string): ((...args: unknown[]) => unknown)[];
  listenerCount(event: string): number;
  on(event: string, listener: (...args: unknown[]) => unknown): unknown;
}

/** The description of Fastify's symbol for its extra servers (lib/symbols.js). */
const BINDINGS = 'fastify.serverBindings';

/** The extra servers of `app` (empty when there are none, or the list cannot be found). */
export function extraServers(app: object): readonly unknown[] {
  const symbol = fastifySymbol(app, BINDINGS);
  const list = symbol === undefined ? undefined : (app as Record<symbol, unknown>)[symbol];
  return Array.isArray(list) ? list : [];
}

function isEventServer(value: unknown): value is EventServer {
  const server = value as Partial<EventServer> | null;
  return (
    typeof server === 'object' &&
    server !== null &&
    typeof server.listeners === 'function' &&
    typeof server.listenerCount === 'function' &&
    typeof server.on === 'function'
  );
}

/** Gives `extra` the listeners of `main` for each mirrored event `extra` has none for. */
function mirrorListeners(main: EventServer, extra: EventServer): void {
  for (const event of MIRRORED) {
    if (extra.listenerCount(event) > 0) continue;
    for (const listener of main.listeners(event)) extra.on(event, listener);
  }
}

/**
 * Makes `app.server` ignore unknown expectations now, and, once `app` listens, gives every extra
 * server Fastify created for it (`host: 'localhost'`) the same `'clientError'` and
 * `'checkExpectation'` listeners as `app.server`.
 */
export function coverAllServers(app: FastifyInstance): void {
  // `Expect: foo` reaches the routes instead of Node's bare 417 (once per server, not per scope).
  ignoreUnknownExpectations(app.server);
  app.addHook('onListen', function mirrorOntoExtraServers(done) {
    const main = app.server as unknown;
    if (isEventServer(main)) {
      for (const extra of extraServers(app)) if (extra !== main && isEventServer(extra)) mirrorListeners(main, extra);
    }
    done();
  });
}
