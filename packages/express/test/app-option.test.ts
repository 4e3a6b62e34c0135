/**
 * `faultline({ app })` prepares the app at once: a request target Node's URL parser refuses, sent
 * as the server's very first request (no request has reached `fl.requestId` yet), is answered as
 * problem JSON with an id, without `X-Powered-By`, and recorded. Without the option, the app is
 * prepared at its first request through `fl.requestId`, and such a first request still meets
 * Express's own `finalhandler` (what the option is for). Real Express 5 and 4 servers, raw sockets.
 */
import type { Server } from 'node:http';
import { createReporter } from '@faultline/core';
import { memoryLog, rawHttpExchange, recordFor } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { faultline } from '../src/index.js';
import type { ExpressResponse } from '../src/types.js';
import type { ExpressLike, Major } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A target Express's router cannot read a path from: it ends before the first middleware. */
const UNPARSABLE = 'GET http://[::1/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A new app wired as the README shows (with `app` passed or not), listening on 127.0.0.1. */
async function start(major: Major, passApp: boolean) {
  const log = memoryLog();
  const factory = (major === 5 ? express5 : express4) as unknown as () => ExpressLike;
  const app = factory();
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  const fl = faultline(passApp ? { reporter, app } : { reporter });
  app.use(fl.requestId);
  app.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return { port: (server.address() as { port: number }).port, log, fl };
}

describe.each([5, 4] as Major[])('Express %i: faultline({ app })', (major) => {
  it('answers an unparsable first request as problem JSON, with an id, recorded', async () => {
    const { port, log, fl } = await start(major, true);
    const raw = await rawHttpExchange(port, UNPARSABLE);
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).toMatch(/^HTTP\/1\.1 404 /);
    expect(head).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    expect(head).not.toMatch(/x-powered-by/i);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { code: string; request_id: string };
    expect(body.code).toBe('NOT_FOUND');
    expect(body.request_id).toMatch(UUID);
    await fl.reporter?.flush();
    expect(recordFor(log.records, body.request_id)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('without it, that first request still meets Express’s finalhandler (HTML, no id)', async () => {
    const { port } = await start(major, false);
    const raw = await rawHttpExchange(port, UNPARSABLE);
    expect(raw).toMatch(/^HTTP\/1\.1 404 /);
    expect(raw).toMatch(/content-type: text\/html/i);
  });

  it('refuses an app that is not a function, naming the option', () => {
    expect(() => faultline({ app: {} })).toThrow(/app/);
  });
});
