/**
 * A thrown promise that rejects (`throw Promise.reject(err)`, `next(fetchRow())`) inside a mounted
 * router, a sub-app, a `router.param` callback or a router's error middleware. Core's `capture`
 * marks such a promise handled, but Express's router leaves a router on `setImmediate` (its
 * `next`, when no layer is left: `setImmediate(done, err)`), so `fl.errorHandler` captures the
 * value a turn later: Node has by then seen the rejection unhandled and, by its default
 * (`--unhandled-rejections=throw`), ended the process. Any client that can reach such a route
 * could stop the server.
 *
 * So every router of the app's Express (the prototype of its router, Express 4's `proto` or the
 * `router` package's `Router.prototype`, patched once at an app's first request) ends its stack
 * with one error layer of Faultline's, {@link settleThrownPromise}: the router calls it
 * synchronously with an error that is about to leave, it marks a native promise handled and
 * passes the error on unchanged. The router's `handle` looks at its last layer (one comparison a
 * router a request); a layer added after it gets the error layer appended again (never moved:
 * a request in flight keeps its place in the stack). Express calls a four-argument layer on
 * success with nothing but `next()`.
 *
 * The first request is already inside the routers that lead to the request-id middleware (the
 * app's own router at least) when the prototype is patched: their `handle` ran unpatched. So the
 * routers of the request's app, of the apps it is mounted in and the routers mounted in those get
 * the error layer at once, appended to the stack the router in flight reads its next layer from.
 *
 * The layer stays in `router.stack`, where route listings (express-list-endpoints and the like)
 * walk: it has no `route`, no `stack` of its own, and the name `settleThrownPromise`, so such a
 * walk passes over it as over any path-less error middleware.
 */
import { defuseThrownPromise } from '@faultline/core/adapter';
import { defuseLayerNext, defuseParams } from './layer-next.js';

/**
 * The error layer every router ends with: marks `error` handled when it is a native promise
 * (reading nothing of it, so no Proxy trap runs), then passes it on unchanged.
 */
export function settleThrownPromise(error: unknown, _request: unknown, _response: unknown, next: unknown): void {
  defuseThrownPromise(error);
  (next as (error: unknown) => void)(error);
}

/** A router stack's layer, read structurally (Express 4's `Layer`, the `router` package's). */
interface Layer {
  handle?: unknown;
  route?: unknown;
}

/** A router (Express 4's or the `router` package's): its stack, parameter callbacks and `handle`. */
interface Router {
  readonly stack?: unknown;
  readonly params?: unknown;
  handle?: unknown;
}

/** Router prototypes already patched (or found unpatchable). */
const prototypes = new WeakSet<object>();

/** Error layers appended to a router at most (a router the application keeps adding to). */
const MAX_APPENDED = 8;

/** How many error layers each router got. */
const appended = new WeakMap<object, number>();

/** Appends the error layer to `router`, made with the constructor of the stack's first layer. */
function appendLayer(router: object, stack: Layer[]): void {
  const count = appended.get(router) ?? 0;
  if (count >= MAX_APPENDED) return;
  appended.set(router, count + 1);
  try {
    const Layer = (stack[0] as { constructor?: unknown }).constructor;
    if (typeof Layer !== 'function') return;
    // What `router.use(fn)` makes, without going through `use` (an instrumentation's wrapper).
    const layer = new (Layer as new (path: string, options: object, fn: unknown) => Layer)(
      '/',
      { sensitive: false, strict: false, end: false },
      settleThrownPromise,
    );
    if (layer.handle !== settleThrownPromise) return;
    layer.route = undefined;
    stack.push(layer);
  } catch {
    // A stack Faultline cannot extend: a thrown rejecting promise still ends the process there.
  }
}

/**
 * Makes every router of `app`'s Express end its stack with {@link settleThrownPromise} before it
 * runs, by patching the prototype of `app`'s router once, and gives the layer at once to the
 * routers the app's first request may already be in; and makes its layers' `next` and its
 * routers' parameter callbacks mark such a promise handled as it enters the chain (layer-next.ts).
 * Never throws.
 */
export function settleRouterErrors(app: unknown): void {
  if (typeof app !== 'function') return;
  patchHandle(app);
  settleRoutersInFlight(app);
  const stack = routerOf(app)?.stack;
  if (Array.isArray(stack)) defuseLayerNext(stack);
}

/** Patches the `handle` that the router of `app` inherits, once per prototype. Never throws. */
function patchHandle(app: unknown): void {
  try {
    const router = routerOf(app);
    if (router === undefined) return;
    // The object whose own `handle` every router inherits: Express 4's `proto`, one step up; the
    // `router` package's `Router.prototype`, two (each router function inherits from its instance).
    let proto = Object.getPrototypeOf(router) as Router | null;
    for (let depth = 0; depth < 4 && proto !== null && !Object.hasOwn(proto, 'handle'); depth += 1)
      proto = Object.getPrototypeOf(proto) as Router | null;
    if (proto === null || !Object.hasOwn(proto, 'handle') || prototypes.has(proto)) return;
    prototypes.add(proto);
    const original = proto.handle;
    if (typeof original !== 'function') return;
    proto.handle = function handle(this: Router, request: unknown, response: unknown, callback: unknown) {
      endWithErrorLayer(this);
      defuseParams(this);
      return (original as (this: unknown, ...args: unknown[]) => unknown).call(this, request, response, callback);
    };
  } catch {
    // A frozen prototype: such errors leave the router as Express has them.
  }
}

/** Appends the error layer to `router` unless its stack (not empty) already ends with it. */
function endWithErrorLayer(router: Router): void {
  const stack = router.stack;
  if (!Array.isArray(stack) || stack.length === 0) return;
  const last = stack[stack.length - 1] as Layer | undefined;
  if (last?.handle !== settleThrownPromise) appendLayer(router, stack as Layer[]);
}

/** Routers and apps looked into at most, from an app down or up (deep or cyclic mounts are cut). */
const MAX_DEPTH = 8;

/** Routers given the error layer at most by {@link settleRoutersInFlight}. */
const MAX_ROUTERS = 256;

/**
 * The router of an Express app: Express 4's lazily made `_router` first (Express 5's `router`
 * getter would make one; Express 4's throws, for an app that has none yet). Never throws.
 */
function routerOf(app: unknown): Router | undefined {
  try {
    const holder = app as { router?: unknown; _router?: unknown };
    const router = holder._router ?? holder.router;
    if (typeof router === 'function' || (typeof router === 'object' && router !== null)) return router as Router;
  } catch {
    // Express 4's `app.router` getter: no router yet.
  }
  return undefined;
}

/**
 * Gives the error layer to the routers a first request may be in already: those of `app` and of
 * the apps it is mounted in, and every router mounted in them (a router function's own `stack`).
 * Never throws.
 */
function settleRoutersInFlight(app: unknown): void {
  const seen = new Set<object>();
  const visit = (router: Router, depth: number): void => {
    if (depth > MAX_DEPTH || seen.size >= MAX_ROUTERS || seen.has(router)) return;
    seen.add(router);
    const stack = router.stack;
    if (!Array.isArray(stack)) return;
    for (const layer of stack as (Layer | undefined)[]) {
      const handle = layer?.handle;
      if (typeof handle === 'function' && Array.isArray((handle as Router).stack)) visit(handle as Router, depth + 1);
    }
    endWithErrorLayer(router);
    defuseParams(router);
  };
  try {
    let current: unknown = app;
    for (let depth = 0; depth < MAX_DEPTH && typeof current === 'function'; depth += 1) {
      const router = routerOf(current);
      if (router !== undefined) visit(router, 0);
      current = (current as { parent?: unknown }).parent;
    }
  } catch {
    // A stack that cannot be read: its router gets the layer at its next request (the patched `handle`).
  }
}
