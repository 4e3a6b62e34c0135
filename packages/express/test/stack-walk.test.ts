/**
 * The error layer Faultline appends to every router (settle.ts) stays in `router.stack`, where
 * route-listing code walks (express-list-endpoints, express-list-routes and hand-written
 * equivalents). On real Express 5 and Express 4 apps (routes, a mounted router, a sub-app),
 * served over 127.0.0.1: a walk written as those libraries walk (a layer's `route`, its `name`,
 * and its handle's `stack`) lists the same routes after requests (errors included) as before the
 * first, and every appended layer has the shape such a walk passes over: named
 * `settleThrownPromise`, no `route`, no `stack` of its own, a four-argument handle, last in its
 * router, once.
 */
import type { Server } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { faultline } from '../src/index.js';
import { settleThrownPromise } from '../src/settle.js';
import type { Major } from './helpers.js';

interface Layer {
  readonly name?: unknown;
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
  readonly handle?: { readonly length: number; readonly stack?: Layer[] };
}

interface App {
  use(...handlers: unknown[]): unknown;
  get(path: string, ...handlers: unknown[]): unknown;
  post(path: string, ...handlers: unknown[]): unknown;
  listen(port: number, host: string, callback: () => void): Server;
  readonly _router?: { readonly stack: Layer[] };
  readonly router?: { readonly stack: Layer[] };
}

/** `METHOD path` of every route in `stack` and the routers it mounts, as a route listing walks. */
function listRoutes(stack: readonly Layer[], out: string[] = []): string[] {
  for (const layer of stack) {
    if (layer.route !== undefined) {
      for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${layer.route.path}`);
    } else if (['router', 'bound dispatch', 'mounted_app'].includes(String(layer.name))) {
      if (Array.isArray(layer.handle?.stack)) listRoutes(layer.handle.stack, out);
    }
  }
  return out;
}

/** Every router stack reachable from `stack` (a layer whose handle has a `stack`), `stack` first. */
function stacksOf(stack: readonly Layer[], out: (readonly Layer[])[] = []): (readonly Layer[])[] {
  out.push(stack);
  for (const layer of stack) if (Array.isArray(layer.handle?.stack)) stacksOf(layer.handle.stack, out);
  return out;
}

describe.each([5, 4] as Major[])('Express %i: route listings over router.stack', (major) => {
  it('list the same routes after requests as before, and pass over the error layers', async () => {
    const factory = (major === 5 ? express5 : express4) as unknown as (() => App) & { Router(): App };
    const app = factory();
    const fl = faultline({ reporter: false });
    app.use(fl.requestId);
    app.get('/a', (_req: unknown, res: { end(s: string): void }) => res.end('a'));
    const router = factory.Router();
    router.get('/b', (_req: unknown, res: { end(s: string): void }) => res.end('b'));
    router.post('/c', () => {
      throw new Error('c failed');
    });
    app.use('/r', router);
    const sub = factory();
    sub.get('/d', (_req: unknown, res: { end(s: string): void }) => res.end('d'));
    app.use('/sub', sub);
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    // Express 4's `_router` first (its `app.router` getter throws).
    const top = () => (app._router ?? app.router)?.stack ?? [];
    const before = listRoutes(top());
    expect(before).toEqual(['GET /a', 'GET /b', 'POST /c']);

    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      for (const [path, method] of [
        ['/a', 'GET'],
        ['/r/b', 'GET'],
        ['/r/c', 'POST'],
        ['/sub/d', 'GET'],
        ['/missing', 'GET'],
      ] as const)
        await (await fetch(`${url}${path}`, { method, signal: AbortSignal.timeout(5000) })).text();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    expect(listRoutes(top())).toEqual(before);
    const stacks = stacksOf(top());
    // The app's router and the mounted one (the sub-app's sits behind Express's `mounted_app`).
    expect(stacks).toHaveLength(2);
    for (const stack of stacks) {
      const ours = stack.filter((layer) => layer.handle === (settleThrownPromise as unknown));
      expect(ours).toHaveLength(1);
      expect(stack.at(-1)).toBe(ours[0]);
      const layer = ours[0] as Layer;
      expect([layer.name, layer.route, layer.handle?.length, layer.handle?.stack]).toEqual([
        'settleThrownPromise',
        undefined,
        4,
        undefined,
      ]);
    }
  });
});
