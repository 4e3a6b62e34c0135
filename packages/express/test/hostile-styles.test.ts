/**
 * Every hostile value (hostile-values.ts) through every failure style Express has, on real
 * Express 5 and Express 4 servers over raw sockets: a throw and a rejection in a route, in a
 * middleware, in an `app.route().all()` handler, in a `router.param` callback and in a mounted
 * sub-app; `next(value)`; an application error middleware that throws the value, passes it to
 * `next`, or rejects with it (wrapped in `asyncErrorHandler` on Express 4); `res.json` of a value whose `toJSON` throws it;
 * `res.render` through a view engine that throws it or calls back with it; and a
 * stream piped to the answer that fails with it before the head; on Express 5 also with a subscriber
 * on the router's tracing channel (an APM's), where every layer runs on the traced path. Each answer: the value's status,
 * problem JSON, one id in header and body, exactly one record under it, nothing of the value in
 * its bytes, no unhandled rejection (a thrown promise that rejects), and the server answers the
 * next request.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { rawHttpExchange, until } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncErrorHandler, asyncHandler } from '../src/index.js';
import type { ExpressRequest, ExpressResponse, NextFunction } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';
import { FORBIDDEN, HOSTILE, HOSTILE_NAMES, hostileAt } from './hostile-values.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
type Req = ExpressRequest & { params: Record<string, string>; path: string };
type Res = ExpressResponse & { json(value: unknown): void };
interface Routerish {
  use(...handlers: unknown[]): unknown;
  get(path: string, ...handlers: unknown[]): unknown;
  param(name: string, callback: unknown): unknown;
  route(path: string): { all(...handlers: unknown[]): unknown };
}
type Factory = (() => Routerish) & { Router(): Routerish };

const views = mkdtempSync(join(tmpdir(), 'faultline-views-'));
writeFileSync(join(views, 'page.hostile'), 'page');
afterAll(() => rmSync(views, { recursive: true, force: true }));
const tick = () => new Promise((resolve) => setImmediate(resolve));
/** Unhandled rejections seen while this file runs (a thrown rejecting promise nobody marked handled). */
let unhandled = 0;
const onUnhandled = () => {
  unhandled += 1;
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});
const index = (req: Req) => req.params.i ?? req.path.split('/').pop();

/** The styles both majors have (Express 4's async ones through asyncHandler, as it requires). */
const STYLES = [
  'route-sync',
  'route-async',
  'mw-sync',
  'mw-async',
  'next',
  'all-sync',
  'param-sync',
  'param-async',
  'sub/sync',
  'sub/async',
  'handler-throws',
  'handler-next',
  'handler-rejects',
  'to-json',
  'render-sync',
  'render-async',
  'stream',
];

/** The router's tracing channel (router 2.3, Express 5): with a subscriber, every layer runs traced. */
const tracing = tracingChannel('express.router.request');
const subscriber = { start() {}, end() {}, asyncStart() {}, asyncEnd() {}, error() {} };

describe.each([
  [5, ''],
  [4, ''],
  [5, ', its router traced'],
] as [Major, string][])('Express %i%s: hostile values in every failure style', (major, traced) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    if (traced !== '') tracing.subscribe(subscriber);
    const factory = (major === 5 ? express5 : express4) as unknown as Factory;
    const wrap = (major === 4 ? asyncHandler : (handler: unknown) => handler) as <T>(handler: T) => T;
    app = await startApp(major, (a) => {
      const r = a as unknown as Routerish;
      r.get('/ok', (_req: unknown, res: Res) => res.end('fine'));
      r.get('/route-sync/:i', (req: Req) => {
        throw hostileAt(req.params.i);
      });
      r.get(
        '/route-async/:i',
        wrap(async (req: Req) => {
          await tick();
          throw hostileAt(req.params.i);
        }),
      );
      r.use('/mw-sync', (req: Req) => {
        throw hostileAt(index(req));
      });
      r.use(
        '/mw-async',
        wrap(async (req: Req) => {
          await tick();
          throw hostileAt(index(req));
        }),
      );
      r.use('/next', (req: Req, _res: unknown, next: NextFunction) => next(hostileAt(index(req))));
      r.route('/all-sync/:i').all((req: Req) => {
        throw hostileAt(req.params.i);
      });
      const params = factory.Router();
      params.param('i', (_req: unknown, _res: unknown, _next: unknown, value: string) => {
        throw hostileAt(value);
      });
      params.get('/:i', (_req: unknown, res: Res) => res.end('unreachable'));
      r.use('/param-sync', params);
      const asyncParams = factory.Router();
      asyncParams.param(
        'i',
        wrap(async (_req: unknown, _res: unknown, _next: unknown, value: string) => {
          await tick();
          throw hostileAt(value);
        }),
      );
      asyncParams.get('/:i', (_req: unknown, res: Res) => res.end('unreachable'));
      r.use('/param-async', asyncParams);
      const sub = factory();
      sub.get('/sync/:i', (req: Req) => {
        throw hostileAt(req.params.i);
      });
      sub.get(
        '/async/:i',
        wrap(async (req: Req) => {
          await tick();
          throw hostileAt(req.params.i);
        }),
      );
      r.use('/sub', sub);
      const handled = factory.Router();
      handled.get('/:i', () => {
        throw new Error('first failure');
      });
      const throwing = factory.Router();
      throwing.get('/:i', () => {
        throw new Error('first failure');
      });
      const rejecting = factory.Router();
      rejecting.get('/:i', () => {
        throw new Error('first failure');
      });
      handled.use((_error: unknown, req: Req, _res: unknown, next: NextFunction) => next(hostileAt(index(req))));
      throwing.use((_error: unknown, req: Req, _res: unknown, _next: unknown) => {
        throw hostileAt(index(req));
      });
      // Express 4 ignores an error middleware's rejected promise: asyncErrorHandler takes it.
      const rejects = async (_error: unknown, req: ExpressRequest, _res: unknown, _next: unknown) => {
        await tick();
        throw hostileAt(index(req as Req));
      };
      rejecting.use(major === 4 ? asyncErrorHandler(rejects) : rejects);
      r.use('/handler-next', handled);
      r.use('/handler-throws', throwing);
      r.use('/handler-rejects', rejecting);
      r.get('/to-json/:i', (req: Req, res: Res) =>
        res.json({
          toJSON() {
            throw hostileAt(req.params.i);
          },
        }),
      );
      // A view engine that fails with the value (the views directory must never be named).
      const engine = r as unknown as { engine(ext: string, fn: unknown): void; set(key: string, value: unknown): void };
      engine.engine('hostile', (_path: string, options: { i: string; async: boolean }, done: (e: unknown) => void) => {
        if (!options.async) throw hostileAt(options.i);
        setImmediate(() => done(hostileAt(options.i)));
      });
      engine.set('views', views);
      engine.set('view engine', 'hostile');
      for (const how of ['sync', 'async'])
        r.get(`/render-${how}/:i`, (req: Req, res: Res & { render(view: string, options: object): void }) =>
          res.render('page', { i: req.params.i, async: how === 'async' }),
        );
      r.get('/stream/:i', (req: Req, res: Res, next: NextFunction) => {
        const source = new Readable({
          read() {
            this.destroy(hostileAt(req.params.i) as Error);
          },
        });
        // `pipe` leaves the answer open on a source error (`pipeline` would destroy it first).
        source.on('error', next);
        source.pipe(res);
      });
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    if (traced !== '') tracing.unsubscribe(subscriber);
    await app.stop();
  });

  const get = (path: string) => rawHttpExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

  /** The failures of one answer to `path` expected with `status` (empty when it is right). */
  async function check(path: string, status: number): Promise<string[]> {
    const before = unhandled;
    const raw = await get(path);
    const problems: string[] = [];
    for (const fragment of [...FORBIDDEN, views, 'faultline-views-', 'page.hostile'])
      if (raw.includes(fragment)) problems.push(`leaks ${fragment}`);
    const end = raw.indexOf('\r\n\r\n');
    const [line = '', ...lines] = raw.slice(0, Math.max(end, 0)).split('\r\n');
    if (!line.startsWith(`HTTP/1.1 ${status} `)) problems.push(`status line ${line.slice(0, 80) || '(none)'}`);
    if (headerValue(lines, 'content-type') !== 'application/problem+json; charset=utf-8')
      problems.push(`content-type ${headerValue(lines, 'content-type')}`);
    const id = headerValue(lines, 'x-request-id') ?? '';
    if (!UUID.test(id)) problems.push(`id ${id}`);
    let bodyId: unknown;
    try {
      bodyId = (JSON.parse(raw.slice(end + 4)) as { request_id?: unknown }).request_id;
    } catch {
      bodyId = undefined;
    }
    if (bodyId !== id) problems.push(`body id ${String(bodyId)}`);
    const recordsOf = () =>
      app.records.filter((r) => r.request_id === id || (Array.isArray(r.request_ids) && r.request_ids.includes(id)));
    // The record is written a turn after the answer; a second one would come in that turn too.
    await until(() => recordsOf().length > 0, 1000);
    await tick();
    const records = recordsOf();
    if (records.length !== 1) problems.push(`${records.length} records`);
    if (unhandled !== before) problems.push('an unhandled rejection');
    const next = await get('/ok');
    if (!next.startsWith('HTTP/1.1 200 ') || !next.endsWith('fine')) problems.push('the next request failed');
    return problems;
  }

  it.each(HOSTILE_NAMES.map((name, i) => [name, i] as const))('%s', { timeout: 20_000 }, async (name, i) => {
    const status = (HOSTILE[name] as { status: number }).status;
    const failures: string[] = [];
    for (const style of STYLES) {
      const problems = await check(`/${style}/${i}`, status);
      if (problems.length > 0) failures.push(`${style}: ${problems.join(', ')}`);
    }
    expect(failures).toEqual([]);
  });
});
