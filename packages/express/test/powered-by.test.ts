/**
 * `X-Powered-By` stays absent on every response (success, 404, error, first and later requests),
 * now that the middleware turns Express's setting off on the app at its first request instead of
 * removing a header Express set on each response.
 */
import type { Server } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../src/index.js';

type App = ((...args: unknown[]) => unknown) & {
  use(...handlers: unknown[]): unknown;
  get(path: string, ...handlers: unknown[]): unknown;
  enabled(setting: string): boolean;
  listen(port: number, host: string, callback: () => void): Server;
};

describe.each([5, 4])('Express %i', (major) => {
  let app: App;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const fl = faultline({ reporter: false });
    const factory = (major === 5 ? express5 : express4) as unknown as () => App;
    app = factory();
    app.use(fl.requestId);
    app.get('/ok', (_req: unknown, res: { json(v: unknown): void }) => res.json({ ok: true }));
    app.get('/fail', () => {
      throw new Error('secret');
    });
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is absent from the first response, and the app no longer sets it', async () => {
    expect(app.enabled('x-powered-by')).toBe(true);
    const first = await fetch(`${url}/ok`, { signal: AbortSignal.timeout(5000) });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-powered-by')).toBeNull();
    expect(first.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(app.enabled('x-powered-by')).toBe(false);
  });

  it.each(['/ok', '/fail', '/missing', '/ok'])('stays absent on later responses (%s)', async (path) => {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
    await res.text();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
