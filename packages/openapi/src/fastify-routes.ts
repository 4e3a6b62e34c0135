/**
 * Collecting a Fastify app's routes for {@link openApiDocument}: register `collectRoutes(app)`
 * before the routes; a route declares the codes it raises with `config: { faultlineCodes: [...] }`.
 */
import type { RouteDescription } from './openapi.js';

/** The part of a Fastify instance the collector uses. */
export interface RouteSource {
  /** Fastify's `addHook('onRoute', …)`: called for each route as it is registered. */
  addHook(
    name: 'onRoute',
    hook: (route: { method: string | string[]; url: string; config?: unknown }) => void,
  ): unknown;
}

/** Starts collecting `app`'s routes; read the returned array once the app is ready. */
export function collectRoutes(app: RouteSource): RouteDescription[] {
  const routes: RouteDescription[] = [];
  app.addHook('onRoute', (route) => {
    const config = route.config as { faultlineCodes?: unknown } | undefined;
    const codes = Array.isArray(config?.faultlineCodes)
      ? config.faultlineCodes.filter((c): c is string => typeof c === 'string')
      : [];
    for (const method of Array.isArray(route.method) ? route.method : [route.method])
      routes.push({ method, url: route.url, codes });
  });
  return routes;
}
