/**
 * What leaves an app's router unanswered, on real Express 5 and Express 4 servers over raw
 * sockets: `next('router')` at the app's top level, and a request target Node's URL parser refuses
 * (any client can send one; the router ends before the first middleware), reached Express's
 * `finalhandler`: its HTML page with no id in the body and no record (Express 5 also announced
 * itself). An error with no Faultline error middleware in the app got finalhandler's HTML stack
 * trace. All are answered as problem JSON once the app served its first request; an app mounted
 * in another keeps Express's hand-over to its parent.
 */
import type { Server } from 'node:http';
import { parse as parseUrl } from 'node:url';
import { createReporter } from '@faultline/core';
import { memoryLog, rawHttpExchange, recordFor } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../src/index.js';
import type { ExpressResponse, NextFunction } from '../src/types.js';
import { type ExpressLike, headerValue, type Major } from './helpers.js';

const SECRET = 'hunter2-final';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Status line, header lines and body of one raw answer. */
function parse(raw: string): { status: string; lines: string[]; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const [status = '', ...lines] = raw.slice(0, end).split('\r\n');
  return { status, lines, body: raw.slice(end + 4) };
}

/** True when this Node's legacy URL parser (what Express's router reads a target with) takes `target`. */
function parsable(target: string): boolean {
  try {
    parseUrl(target);
    return true;
  } catch {
    return false;
  }
}

describe.each([5, 4] as Major[])('Express %i: what leaves the app’s router', (major) => {
  const log = memoryLog();
  let server: Server;
  let port: number;
  const servers: Server[] = [];
  const ports = { bare: 0, parent: 0 };
  const previousEnv = process.env.NODE_ENV;
  beforeAll(async () => {
    // finalhandler writes the stack into its page when NODE_ENV is not production.
    delete process.env.NODE_ENV;
    const fl = faultline({ reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }) });
    const factory = (major === 5 ? express5 : express4) as unknown as () => ExpressLike;
    const app = factory();
    app.use(fl.requestId);
    app.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
    app.get('/leave', (_req: unknown, _res: unknown, next: NextFunction) => next('router'));
    app.get('/answered-then-leave', (_req: unknown, res: ExpressResponse, next: NextFunction) => {
      res.end('answered');
      next('router');
    });
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    // An app that forgot fl.errorHandler, mounted nowhere: its own server.
    const bare = factory();
    bare.use(fl.requestId);
    bare.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
    bare.get('/fail', () => {
      throw new Error(`relation "orders_private" ${SECRET}`);
    });
    const parent = factory();
    const child = factory();
    child.use(fl.requestId);
    child.get('/leave', (_req: unknown, _res: unknown, next: NextFunction) => next('router'));
    child.use(fl.notFound);
    child.use(fl.errorHandler);
    parent.use('/child', child);
    parent.get('/child/leave', (_req: unknown, res: ExpressResponse) => res.end('the parent answered'));
    const listen = (target: ExpressLike) =>
      new Promise<Server>((resolve) => {
        const s = target.listen(0, '127.0.0.1', () => resolve(s));
      });
    server = await listen(app);
    port = (server.address() as { port: number }).port;
    const bareServer = await listen(bare);
    const parentServer = await listen(parent);
    servers.push(bareServer, parentServer);
    ports.bare = (bareServer.address() as { port: number }).port;
    ports.parent = (parentServer.address() as { port: number }).port;
    // Express gives no start-up hook: the app's first request hands Faultline the final handler.
    for (const first of [port, ports.bare]) expect(parse(await send(first, '/ok')).body).toBe('fine');
  });
  afterAll(async () => {
    if (previousEnv !== undefined) process.env.NODE_ENV = previousEnv;
    for (const s of [server, ...servers]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  const send = (to: number, target: string, method = 'GET') =>
    rawHttpExchange(to, `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

  /** A problem answer with `status`, one id in header and body, no HTML or product, a record. */
  async function expectProblem(raw: string, status: string, method = 'GET'): Promise<void> {
    expect(raw).not.toMatch(/<html|<pre|Cannot GET|x-powered-by|hunter2|orders_private| {4}at /i);
    const { status: line, lines, body } = parse(raw);
    expect(line).toBe(`HTTP/1.1 ${status}`);
    expect(headerValue(lines, 'content-type')).toBe('application/problem+json; charset=utf-8');
    const id = headerValue(lines, 'x-request-id');
    expect(id).toMatch(UUID);
    if (method === 'HEAD') expect(body).toBe('');
    else expect((JSON.parse(body) as { request_id: string }).request_id).toBe(id);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(recordFor(log.records, id)).toBeDefined();
  }

  it.each(['GET', 'HEAD'])("%s: next('router') at the app's top level is the not-found answer", async (method) => {
    await expectProblem(await send(port, '/leave', method), '404 Not Found', method);
  });

  it.each(['http://[::1/leave', 'http://[::1]:x/ok', 'http://xn--a.com/ok'])(
    'a target Express cannot parse (%s) is the not-found answer',
    async (target) => {
      const raw = await send(port, target);
      // Node 24's parser takes `xn--a.com` (20 and 22 refuse it): the request then reaches its route.
      if (parsable(target)) expect(parse(raw).status).toBe('HTTP/1.1 200 OK');
      else await expectProblem(raw, '404 Not Found');
    },
  );

  it("an answer the route sent before next('router') stands, and nothing is recorded", async () => {
    const { status, lines, body } = parse(await send(port, '/answered-then-leave'));
    expect([status, body]).toEqual(['HTTP/1.1 200 OK', 'answered']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(recordFor(log.records, headerValue(lines, 'x-request-id'))).toBeUndefined();
  });

  it('an error in an app without fl.errorHandler is answered by Faultline, not finalhandler’s stack page', async () => {
    await expectProblem(await send(ports.bare, '/fail'), '500 Internal Server Error');
  });

  it("a mounted app's next('router') still hands the request back to its parent", async () => {
    const { status, body } = parse(await send(ports.parent, '/child/leave'));
    expect([status, body]).toEqual(['HTTP/1.1 200 OK', 'the parent answered']);
  });
});
