/**
 * Handlers of routes registered before the plugin are guarded at each route's first request by
 * one `onRequest` hook of the plugin's (early-handlers.ts): that hook leaves the route's hooks
 * then, so later requests pay nothing for it, and a server whose routes all come after the plugin
 * never gets it. A handler the plugin guarded already (a route registered after it) is not
 * wrapped again, the copy Fastify binds to its scope included.
 */
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import { describe, expect, it } from 'vitest';
import { guardHandler } from '../src/handler-guard.js';
import { faultline, faultlineServerOptions } from '../src/index.js';

describe('the cost after the first request', () => {
  const ADOPTION = 'faultlineAdoptHandler';

  it("takes the plugin's hook out of each route's hooks at the route's first request", async () => {
    const app = Fastify(faultlineServerOptions<RawServerDefault>()) as unknown as FastifyInstance;
    app.get('/before', () => 'before');
    await app.register(faultline, { reporter: false });
    app.get('/after', () => 'after');
    await app.ready();
    const listing = () => app.printRoutes({ includeHooks: true, commonPrefix: false });
    // GET and HEAD of both routes, before any request.
    expect(listing().split(ADOPTION)).toHaveLength(5);
    for (const method of ['GET', 'HEAD'] as const) {
      for (const url of ['/before', '/after']) expect((await app.inject({ method, url })).statusCode).toBe(200);
    }
    expect(listing()).not.toContain(ADOPTION);
    await app.close();
  });

  it('adds nothing to a server whose routes all come after the plugin', async () => {
    const app = Fastify(faultlineServerOptions<RawServerDefault>()) as unknown as FastifyInstance;
    await app.register(faultline, { reporter: false });
    app.get('/after', () => 'after');
    await app.ready();
    expect(app.printRoutes({ includeHooks: true })).not.toContain(ADOPTION);
    await app.close();
  });

  it('guards a handler once, the copy Fastify binds included', () => {
    const guarded = guardHandler(() => 'ok');
    const bound = guarded.bind({});
    expect(guardHandler(bound)).toBe(bound);
    expect(bound()).toBe('ok');
  });
});
