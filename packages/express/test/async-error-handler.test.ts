/**
 * `asyncErrorHandler` on real Express 5 and Express 4 servers: an application's error middleware
 * that rejects or throws. Express 4 ignores the promise an error middleware returns, so its
 * rejection went unhandled (the process exits on Node's default) and the request hung; and
 * `asyncHandler` could not wrap one (its wrapper takes three arguments, so Express took it for a
 * plain middleware and skipped it on the error path). On both majors a thrown falsy value means
 * "no error" to Express (the failure ended as a 404) and a thrown `'route'` / `'router'` as one of
 * its skip words. Wrapped, each is answered as the server failure it is.
 */
import { rawHttpExchange, recordFor } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncErrorHandler } from '../src/index.js';
import type { ExpressResponse, NextFunction } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';
import { SECRET } from './hostile-values.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** What each wrapped error middleware throws or rejects with, by route. */
const THROWN: Record<string, () => unknown> = {
  error: () => new Error(`relation "users_private" ${SECRET}`),
  undefined: () => undefined,
  null: () => null,
  zero: () => 0,
  route: () => 'route',
  router: () => 'router',
  proxy: () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error(SECRET);
        },
        getPrototypeOf() {
          throw new Error(SECRET);
        },
      },
    ),
};

interface Routerish {
  use(...handlers: unknown[]): unknown;
  get(path: string, ...handlers: unknown[]): unknown;
}

describe.each([5, 4] as Major[])('Express %i: asyncErrorHandler', (major) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    const factory = (major === 5 ? express5 : express4) as unknown as { Router(): Routerish };
    app = await startApp(major, (a) => {
      for (const [name, make] of Object.entries(THROWN)) {
        for (const how of ['sync', 'async']) {
          const router = factory.Router();
          router.get('/', () => {
            throw new Error('the first failure');
          });
          router.use(
            asyncErrorHandler(async (_error, _req, _res, _next) => {
              if (how === 'async') await tick();
              throw make();
            }),
          );
          a.use(`/${how}/${name}`, router);
        }
      }
      const answering = factory.Router();
      answering.get('/', () => {
        throw Object.assign(new Error('gone'), { status: 410 });
      });
      answering.use(
        asyncErrorHandler(async (error, _req, res: ExpressResponse, _next) => {
          await tick();
          res.statusCode = (error as { status: number }).status;
          res.end('handled by the application');
        }),
      );
      a.use('/answering', answering);
      const passing = factory.Router();
      passing.get('/', () => {
        throw Object.assign(new Error(`no row ${SECRET}`), { status: 404 });
      });
      passing.use(
        asyncErrorHandler(async (error, _req, _res, next: NextFunction) => {
          await tick();
          next(error);
        }),
      );
      a.use('/passing', passing);
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  const get = (path: string) => rawHttpExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

  it('keeps four arguments, so Express calls it on the error path only', () => {
    expect(asyncErrorHandler(async () => undefined).length).toBe(4);
  });

  it.each(Object.keys(THROWN).flatMap((name) => [`/sync/${name}`, `/async/${name}`]))(
    '%s: answered 500, one id in header and body, one record, nothing of the value',
    async (path) => {
      const raw = await get(path);
      expect(raw).not.toMatch(/hunter2|users_private|<html|Cannot GET/);
      const end = raw.indexOf('\r\n\r\n');
      const [line, ...lines] = raw.slice(0, end).split('\r\n');
      expect(line).toBe('HTTP/1.1 500 Internal Server Error');
      const id = headerValue(lines, 'x-request-id');
      expect(id).toMatch(UUID);
      expect((JSON.parse(raw.slice(end + 4)) as { request_id: string }).request_id).toBe(id);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(app.records.filter((r) => r.request_id === id)).toHaveLength(1);
      expect(recordFor(app.records, id)).toBeDefined();
    },
  );

  it('an error middleware that answers keeps its answer', async () => {
    const raw = await get('/answering');
    expect(raw.startsWith('HTTP/1.1 410 ')).toBe(true);
    expect(raw.endsWith('handled by the application')).toBe(true);
  });

  it('one that passes the error on: answered by its status', async () => {
    const raw = await get('/passing');
    expect(raw.startsWith('HTTP/1.1 404 ')).toBe(true);
    expect(raw).not.toContain(SECRET);
  });
});
