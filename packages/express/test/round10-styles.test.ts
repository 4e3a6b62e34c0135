/**
 * Round 10: the hostile values of testkit's HTTP round 10 table (`round10-http.ts`, shared with Fastify)
 * through Express 5 and 4, on real servers read with node:http (raw header lines): a sync throw
 * and a rejection in a route, `next(value)`, an `app.param` callback throwing it, a route after
 * `next('router')` throwing it, an application error middleware that rethrows it or passes it to
 * `next` (after a plain error), and the value thrown after `res.write` (the head has left: one
 * record, the connection ends). Each answer: the value's status, a stable code, the generic
 * message, one UUID v4 id in header and body, nothing of the value (no SQL, host, cookie,
 * redirect), exactly one record under the id; the server keeps serving; no uncaught exception
 * or unhandled rejection.
 */
import {
  crashWatch,
  ROUND10_HTTP_NAMES,
  ROUND10_HTTP_VALUES,
  round10HttpAt,
  round10HttpLeaks,
  until,
} from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProblems, recordsOf, send } from '../../fastify/test/round10-check.js';

import type { ExpressRequest, ExpressResponse, NextFunction } from '../src/types.js';
import { type Major, type RunningApp, startApp } from './helpers.js';

type Req = ExpressRequest & { params: Record<string, string>; headers: Record<string, string | undefined> };
type Res = ExpressResponse & { write(chunk: string): boolean };
interface Routerish {
  get(path: string, ...handlers: unknown[]): unknown;
  use(...handlers: unknown[]): unknown;
  param(name: string, callback: unknown): unknown;
}
const STYLES = ['route-sync', 'route-async', 'next', 'param/1', 'router-skip', 'rethrow', 'pass-on'];
const tick = () => new Promise((resolve) => setImmediate(resolve));
const hostileOf = (req: Req) => round10HttpAt(req.headers['x-value']);
const watch = crashWatch();
beforeAll(() => watch.start());
afterAll(() => watch.stop());

describe.each([5, 4] as Major[])('Express %i: round 10 hostile values in every failure style', (major) => {
  let app: RunningApp;
  let port = 0;
  beforeAll(async () => {
    const factory = (major === 5 ? express5 : express4) as unknown as { Router(): Routerish };
    app = await startApp(major, (a, wrap) => {
      const r = a as unknown as Routerish;
      r.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
      r.get('/route-sync', (req: Req) => {
        throw hostileOf(req);
      });
      r.get(
        '/route-async',
        wrap((async (req: Req) => {
          await tick();
          throw hostileOf(req);
        }) as never),
      );
      r.get('/next', (req: Req, _res: unknown, next: NextFunction) => next(hostileOf(req)));
      const params = factory.Router();
      params.param('id', (req: Req) => {
        throw hostileOf(req);
      });
      params.get('/param/:id', () => undefined);
      r.use(params);
      const skipping = factory.Router();
      skipping.get('/router-skip', (_req: unknown, _res: unknown, next: NextFunction) => next('router'));
      skipping.get('/router-skip', () => undefined);
      r.use(skipping);
      r.get('/late', (req: Req, res: Res) => {
        res.write('partial');
        throw hostileOf(req);
      });
      // After `next('router')` in the router above, the app's next route runs: it throws the value.
      r.get('/router-skip', (req: Req) => {
        throw hostileOf(req);
      });
      const failing = (_req: unknown, _res: unknown, next: NextFunction) => next(new Error('the route failed first'));
      r.get('/rethrow', failing);
      r.get('/pass-on', failing);
      r.use((error: unknown, req: Req & { path: string }, _res: unknown, next: NextFunction) => {
        if (req.path === '/rethrow') throw hostileOf(req);
        if (req.path === '/pass-on') return next(hostileOf(req));
        next(error);
      });
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(() => app.stop());

  it.each(ROUND10_HTTP_NAMES.map((name, index) => [name, index] as const))(
    '%s',
    { timeout: 60_000 },
    async (name, index) => {
      const { status, make } = ROUND10_HTTP_VALUES[name] as { status: number; make: () => unknown };
      const wrong: string[] = [];
      for (const style of STYLES) {
        // `next(null)`/`next(undefined)` is no error: the request goes on to the not-found handler (its one record).
        const expected = make() == null && ['next', 'pass-on'].includes(style) ? 404 : status;
        try {
          const answer = await send(port, 'GET', `/${style}`, { 'x-value': String(index) });
          await until(() => recordsOf(app.records, answer.headers['x-request-id']).length > 0, 2000);
          await tick();
          const problems = answerProblems(answer, expected, app.records);
          if (problems.length > 0) wrong.push(`${style}: ${problems.join(', ')}`);
        } catch (error) {
          wrong.push(`${style}: no answer (${(error as Error).message})`);
        }
      }
      expect(wrong).toEqual([]);
      expect((await send(port, 'GET', '/ok')).status).toBe(200);
      expect(watch.crashes).toEqual([]);
    },
  );

  it.each(ROUND10_HTTP_NAMES.map((name, index) => [name, index] as const))(
    'thrown after res.write: %s is recorded once, the connection ends',
    async (_name, index) => {
      const answer = await send(port, 'GET', '/late', { 'x-value': String(index) }).catch((error: Error) => error);
      const id = answer instanceof Error ? undefined : answer.headers['x-request-id'];
      if (!(answer instanceof Error)) {
        expect(answer.status).toBe(200);
        expect(round10HttpLeaks(answer.lines.join('\n') + answer.body)).toEqual([]);
      }
      await until(() => app.records.length > 0 && (id === undefined || recordsOf(app.records, id).length > 0), 5000);
      if (id !== undefined) expect(recordsOf(app.records, id)).toHaveLength(1);
      expect((await send(port, 'GET', '/ok')).status).toBe(200);
      expect(watch.crashes).toEqual([]);
    },
  );
});
