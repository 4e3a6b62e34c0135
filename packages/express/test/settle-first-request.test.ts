/**
 * A thrown rejecting promise leaving the app's own (top-level) router on the very first request
 * the process serves (settle.ts). The router prototype is patched at that request, from inside
 * the router's `handle`, which had already run unpatched: the error layer must reach the stack in
 * flight, or the rejection stays unhandled for the turn the router leaves on, and Node's default
 * ends the process. Each Express major's router prototype is fresh in this file (vitest runs
 * each file in a process of its own), so each describe's first request is the one that matters.
 * Real Express 5 and Express 4 servers on 127.0.0.1, raw HTTP: the first answer is 500 problem
 * JSON under one id, recorded once, with no unhandled rejection, and the server serves on (a
 * hostile thenable and a second rejecting promise after it).
 */
import type { Server } from 'node:http';
import { createReporter } from '@faultline/core';
import { memoryLog, rawHttpExchange, recordFor, until } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../src/index.js';
import { settleThrownPromise } from '../src/settle.js';
import { headerValue, type Major } from './helpers.js';

const SECRET = 'hunter2-first-request';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

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

interface App {
  use(...handlers: unknown[]): unknown;
  get(path: string, ...handlers: unknown[]): unknown;
  listen(port: number, host: string, callback: () => void): Server;
  readonly router?: { stack: { handle?: unknown; route?: unknown }[] };
  readonly _router?: { stack: { handle?: unknown; route?: unknown }[] };
}

describe.each([5, 4] as Major[])('Express %i: the first request of the process', (major) => {
  const log = memoryLog();
  let server: Server;
  let port: number;
  let app: App;
  beforeAll(async () => {
    app = ((major === 5 ? express5 : express4) as unknown as () => App)();
    // `app`: Faultline's final handler from the first request on (else finalhandler's HTML answers it).
    const fl = faultline({
      app,
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    app.use(fl.requestId);
    app.use(fl.errorHandler);
    // Routes after the error middleware: their errors leave the top-level router (on setImmediate).
    app.get('/rejecting', () => {
      throw Promise.reject(new Error(`relation "users_private" ${SECRET}`));
    });
    app.get('/thenable', () => {
      // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of this route
      throw { then: () => Promise.reject(new Error(SECRET)), message: SECRET };
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Asserts a 500 problem answer to `path` under one id, recorded once, with no unhandled rejection. */
  async function expectSettled(path: string): Promise<void> {
    const before = unhandled;
    const raw = await rawHttpExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(raw).not.toMatch(/hunter2|users_private|<html/i);
    const end = raw.indexOf('\r\n\r\n');
    const [line = '', ...lines] = raw.slice(0, end).split('\r\n');
    expect(line).toBe('HTTP/1.1 500 Internal Server Error');
    expect(headerValue(lines, 'content-type')).toBe('application/problem+json; charset=utf-8');
    const id = headerValue(lines, 'x-request-id');
    expect(id).toMatch(UUID);
    expect((JSON.parse(raw.slice(end + 4)) as { request_id: string }).request_id).toBe(id);
    await until(() => recordFor(log.records, id) !== undefined, 1000);
    expect(log.records.filter((r) => r.request_id === id)).toHaveLength(1);
    // A turn past the answer: Node reports an unhandled rejection after the microtasks of the turn.
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toBe(before);
  }

  it('a thrown rejecting promise leaving the top-level router is answered, never unhandled', async () => {
    await expectSettled('/rejecting');
    // The top-level router's stack ends with the error layer (appended while the request was in it).
    // Express 4's `_router` first (its `app.router` getter throws).
    const stack = (app._router ?? app.router)?.stack ?? [];
    expect(stack.at(-1)?.handle).toBe(settleThrownPromise);
    expect(stack.filter((layer) => layer.handle === settleThrownPromise)).toHaveLength(1);
  });

  it('then a hostile thenable and another rejecting promise, on the same server', async () => {
    await expectSettled('/thenable');
    await expectSettled('/rejecting');
  });
});
