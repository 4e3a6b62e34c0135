/**
 * `Expect:` values other than `100-continue` on a server's first request. The request-id
 * middleware adds core's `'checkExpectation'` listener (`ignoreUnknownExpectations`) to a server
 * at its first request; Node answers an `Expect: foo` that comes before any other with its bare
 * 417 (no body, no id), since the listener is not there yet. `app.listen` is where the server of
 * the README's wiring is made: an app prepared before it (`faultline({ app })`) gets an
 * `app.listen` that adds the listener to the server it returns, before that server can accept a
 * connection (Node binds the port after `listen` returns). A server made by
 * `http.createServer(app)` keeps the first-request fallback.
 */
import { ignoreUnknownExpectations } from '@faultline/core/adapter';

/** Express's `app.listen` (4 and 5): makes a server for the app, listens, returns the server. */
type Listen = (this: unknown, ...args: unknown[]) => unknown;

/** Apps whose `listen` was looked at. */
const seen = new WeakSet<object>();

/**
 * Makes `app.listen` (Express 4 and 5) add Faultline's `'checkExpectation'` listener to the
 * server it returns, once per app. Never throws: an app whose `listen` cannot be replaced keeps
 * Express's (the first-request fallback still applies).
 */
export function expectOnListen(app: unknown): void {
  if (typeof app !== 'function' || seen.has(app)) return;
  seen.add(app);
  try {
    const holder = app as unknown as { listen?: unknown };
    const original = holder.listen;
    if (typeof original !== 'function') return;
    holder.listen = function listen(this: unknown, ...args: unknown[]) {
      const server = (original as Listen).apply(this, args);
      ignoreUnknownExpectations(server);
      return server;
    };
  } catch {
    // A frozen app, or a getter-only `listen`: the server is covered from its first request on.
  }
}
