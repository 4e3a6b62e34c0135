/**
 * A thrown promise that rejects, leaving a mounted router (settle.ts): Express's router leaves a
 * router from its last layer on `setImmediate`, so the rejection was unhandled for a turn before `fl.errorHandler`
 * captured it, and Node's default ended the process. Real Express 5 and Express 4 servers on
 * 127.0.0.1, raw HTTP: the answer (500, problem JSON, one id in header and body, one record under
 * it, no unhandled rejection), also from a route the application adds to a router after it served
 * requests, and each router's stack ends with one Faultline layer, however many requests it served.
 */
import { rawHttpExchange, recordFor, until } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleThrownPromise } from '../src/settle.js';
import type { ExpressResponse } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';

const SECRET = 'hunter2-settle';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Routerish {
  readonly stack: { handle?: unknown }[];
  get(path: string, ...handlers: unknown[]): unknown;
}

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

/** A route that, a turn later (a query's callback), passes on a promise that rejects. */
const rejecting = (_req: unknown, _res: unknown, next: (error: unknown) => void) => {
  setImmediate(() => next(Promise.reject(new Error(`relation "users_private" ${SECRET}`))));
};

describe.each([5, 4] as Major[])('Express %i: a thrown rejecting promise leaving a router', (major) => {
  let app: RunningApp;
  let port: number;
  let router: Routerish;
  beforeAll(async () => {
    const factory = (major === 5 ? express5 : express4) as unknown as { Router(): Routerish };
    router = factory.Router();
    router.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
    // Last in the router: an error from the last layer leaves the router on setImmediate.
    router.get('/throws', rejecting);
    app = await startApp(major, (a) => {
      a.use('/r', router);
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  const get = (path: string) => rawHttpExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

  /** Asserts a 500 problem answer under one id, recorded once, with no unhandled rejection. */
  async function expectSettled(path: string): Promise<void> {
    const before = unhandled;
    const raw = await get(path);
    expect(raw).not.toMatch(/hunter2|users_private/);
    const end = raw.indexOf('\r\n\r\n');
    const [line = '', ...lines] = raw.slice(0, end).split('\r\n');
    expect(line).toBe('HTTP/1.1 500 Internal Server Error');
    const id = headerValue(lines, 'x-request-id');
    expect(id).toMatch(UUID);
    expect((JSON.parse(raw.slice(end + 4)) as { request_id: string }).request_id).toBe(id);
    await until(() => recordFor(app.records, id) !== undefined, 1000);
    expect(app.records.filter((r) => r.request_id === id)).toHaveLength(1);
    expect(unhandled).toBe(before);
  }

  it('is answered and recorded under one id, and never unhandled', async () => {
    await expectSettled('/r/throws');
    await expectSettled('/r/throws');
  });

  it('also from a route added to the router after it served requests', async () => {
    expect((await get('/r/ok')).endsWith('fine')).toBe(true);
    router.get('/later', rejecting);
    await expectSettled('/r/later');
  });

  it("the router's stack ends with one Faultline layer, however many requests it served", async () => {
    for (let i = 0; i < 3; i += 1) await get('/r/ok');
    const ours = router.stack.filter((layer) => layer.handle === settleThrownPromise);
    // One appended at the first request, one after the route added later (never moved).
    expect(ours).toHaveLength(2);
    expect(router.stack.at(-1)?.handle).toBe(settleThrownPromise);
  });
});
