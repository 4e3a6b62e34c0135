/**
 * `app.param` and `router.param` callbacks on real Express 5 and Express 4 servers: Express calls
 * them with the parameter's value and name after `next`. Wrapped in `asyncHandler` (what Express 4
 * needs, since it ignores their rejected promises: the request hung and the rejection went
 * unhandled), they lost both, so every request with the parameter failed. Their value, their
 * throws and rejections, and `next('route')` from them, are checked over the wire.
 */
import { recordFor } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncHandler } from '../src/index.js';
import type { ExpressRequest, ExpressResponse, NextFunction } from '../src/types.js';
import { type Major, type RunningApp, startApp } from './helpers.js';

const SECRET = 'hunter2-param';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The part of an app or router the tests call (both majors). */
interface WithParams {
  param(name: string, callback: unknown): unknown;
  get(path: string, ...handlers: unknown[]): unknown;
  use(...handlers: unknown[]): unknown;
}

type Loaded = ExpressRequest & { order?: string; seen?: string };

/** A param callback that loads an order: 'gone' is a missing row, 'broken' a driver failure. */
async function loadOrder(req: Loaded, _res: ExpressResponse, next: NextFunction, value: string, name: string) {
  await new Promise((resolve) => setImmediate(resolve));
  if (value === 'gone') throw Object.assign(new Error(`no row in orders_private ${SECRET}`), { status: 404 });
  if (value === 'broken')
    throw Object.assign(new Error(`relation "orders_private" ${SECRET}`), { code: '42P01', table: 'orders_private' });
  if (value === 'skip') return next('route');
  req.order = value;
  req.seen = name;
  next();
}

describe.each([5, 4] as Major[])('Express %i: param callbacks', (major) => {
  let app: RunningApp;
  beforeAll(async () => {
    const factory = (major === 5 ? express5 : express4) as unknown as { Router(): WithParams };
    app = await startApp(major, (a) => {
      const withParams = a as unknown as WithParams;
      withParams.param('order', asyncHandler(loadOrder));
      const show = (req: Loaded, res: ExpressResponse) => res.end(`${req.seen}=${req.order}`);
      withParams.get('/orders/:order', show);
      // Runs the callback again, for the same value: a 'route' from it skips this one too.
      withParams.get('/orders/:order', (_req: unknown, res: ExpressResponse) => res.end(`fallback ${SECRET}`));
      const router = factory.Router();
      router.param('item', asyncHandler(loadOrder));
      router.get('/items/:item', show);
      withParams.use('/r', router);
      if (major === 5) {
        // Express 5 takes a rejected promise from a param callback itself.
        withParams.param('native', loadOrder);
        withParams.get('/native/:native', show);
      }
    });
  });
  afterAll(async () => {
    await app.stop();
  });

  const get = (path: string) => fetch(`${app.url}${path}`, { signal: AbortSignal.timeout(5000) });

  it.each(['/orders/7', '/r/items/7', ...(major === 5 ? ['/native/7'] : [])])(
    '%s: the wrapped callback gets the value and the name',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^(order|item|native)=7$/);
    },
  );

  it('next("route") from a wrapped callback skips every route with the parameter: the not-found answer', async () => {
    const response = await get('/orders/skip');
    const body = (await response.json()) as { code: string; request_id: string };
    expect([response.status, body.code]).toEqual([404, 'NOT_FOUND']);
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
  });

  const failing: [string, number][] = [
    ['/orders/gone', 404],
    ['/orders/broken', 500],
    ['/r/items/gone', 404],
    ['/r/items/broken', 500],
    ...(major === 5 ? ([['/native/broken', 500]] as [string, number][]) : []),
  ];

  it.each(failing)('%s: a rejection is answered %i, one id, nothing of the driver', async (path, status) => {
    const response = await get(path);
    const text = await response.text();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(`${JSON.stringify(Object.fromEntries(response.headers))}\n${text}`).not.toMatch(
      /hunter2|orders_private|42P01/,
    );
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect((JSON.parse(text) as { request_id: string }).request_id).toBe(id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recordFor(app.records, id)).toBeDefined();
  });
});
