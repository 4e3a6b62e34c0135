/**
 * ws's own handshake hooks under `fl.upgrade`: `verifyClient` (sync, async with a callback, async
 * returning a promise), `handleProtocols`, and 'connection' listeners the adapter did not wrap.
 * ws answers a `verifyClient` refusal itself (text/html, the application's message and headers
 * verbatim, no id, nothing recorded), ignores the promise an async one returns (a rejection kills
 * the process), and runs the rest of the handshake inside the callback (a throw there is uncaught).
 * Every refusal must be the adapter's HTTP answer; a throw after the 101 must be a close frame,
 * never HTTP text written into the WebSocket stream. Real servers and raw clients on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createReporter, isUuid } from '@faultline/core';
import { memoryLog, rawHttpExchange, recordFor } from '@faultline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ServerOptions, WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const SECRET = 'hunter2-Zq9';
const LEAK = /hunter2|db\.internal|text\/html|X-Secret/i;
const HANDSHAKE =
  'Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

type Verdict = (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;

/** What each path's `verifyClient` does. */
const VERIFY: Record<string, (req: IncomingMessage, done: Verdict) => unknown> = {
  '/callback-refuses': (_req, done) =>
    setImmediate(() =>
      done(false, 401, `token for db.internal ${SECRET}`, {
        'X-Secret': SECRET,
        'WWW-Authenticate': `Bearer realm="db.internal", error="invalid_token", error_description="${SECRET}"`,
      }),
    ),
  '/callback-500': (_req, done) => setImmediate(() => done(false, 500)),
  '/async-rejects': async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error(`vault at db.internal said no ${SECRET}`);
  },
  '/throws': () => {
    throw new Error(`verifyClient db.internal ${SECRET}`);
  },
  '/protocols-throw': (_req, done) => setImmediate(() => done(true)),
  // An auth library's error that carries the request it refused (its query, headers and raw headers).
  '/throws-with-request': (req) => {
    throw Object.assign(new Error('credentials refused'), { req });
  },
  // The application's own status, message and headers (cb(false, code, message, headers)).
  '/own-503': (_req, done) =>
    setImmediate(() => done(false, 503, `db.internal down ${SECRET}`, { 'Retry-After': '30', 'X-Secret': SECRET })),
  '/own-503-sync': (_req, done) => done(false, 503),
  '/own-502': (_req, done) => done(false, 502, SECRET, { 'Set-Cookie': `s=${SECRET}` }),
};

/** Codes a refusal must not be answered with, each refused 401 (ws's default) instead. */
const HOSTILE_CODES: Record<string, unknown> = {
  NaN: Number.NaN,
  '99': 99,
  '600': 600,
  "'503'": '503',
  '200': 200,
  '302': 302,
  '503.5': 503.5,
  'an object with throwing getters': Object.defineProperties(
    {},
    {
      valueOf: {
        get() {
          throw new Error(`getter ${SECRET}`);
        },
      },
      toString: {
        get() {
          throw new Error(`getter ${SECRET}`);
        },
      },
    },
  ),
};
for (const [name, code] of Object.entries(HOSTILE_CODES)) {
  VERIFY[`/hostile-${encodeURIComponent(name)}`] = (_req, done) =>
    done(false, code as number, SECRET, { 'X-Secret': SECRET });
}

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const servers: Server[] = [];
const sockets = new Set<Socket>();

let lastWss: WebSocketServer | undefined;

/** A server whose wss has `options` (verifyClient, handleProtocols) and the adapter's handlers. */
async function start(options: ServerOptions, extraListener?: () => void): Promise<number> {
  const fl = createWsAdapter({ reporter, wwwAuthenticate: 'Bearer realm="ws"' });
  const wss = new WebSocketServer({ noServer: true, ...options });
  lastWss = wss;
  wss.on(
    'connection',
    fl.connection((socket) => socket.send('welcome')),
  );
  if (extraListener !== undefined) wss.on('connection', extraListener);
  const server = createServer();
  server.on('connection', (socket: Socket) => sockets.add(socket));
  server.on('upgrade', fl.upgrade(wss));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

let asyncPort = 0;
let syncPort = 0;
let promisePort = 0;
beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  asyncPort = await start({
    verifyClient: ((info: { req: IncomingMessage }, done: Verdict) =>
      (VERIFY[(info.req.url ?? '').split('?')[0] ?? ''] ?? ((_r: unknown, ok: Verdict) => ok(true)))(
        info.req,
        done,
      )) as never,
    handleProtocols: (protocols) => {
      if (protocols.has('boom')) throw new Error(`handleProtocols db.internal ${SECRET}`);
      return false;
    },
  });
  syncPort = await start({ verifyClient: ((info: { req: IncomingMessage }) => info.req.url === '/ok') as never });
  promisePort = await start({
    // One parameter: ws calls it synchronously and takes the returned promise (always truthy) as a yes.
    verifyClient: (async (info: { req: IncomingMessage }) => info.req.url === '/ok') as never,
  });
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  // Upgraded (or never answered) sockets are no longer the HTTP server's to close.
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});
afterEach(() => {
  expect(crashes.splice(0).map(String)).toEqual([]);
});

/** The raw answer to an upgrade of `path`, split; the id must be the header's, body's and log's. */
async function refused(port: number, path: string, extra = '') {
  const raw = await rawHttpExchange(port, `GET ${path} HTTP/1.1\r\n${HANDSHAKE}${extra}\r\n`, 2000);
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const id = /\r\nx-request-id: ([^\r]*)/.exec(head)?.[1];
  expect(raw).not.toMatch(LEAK);
  expect(head).toContain('content-type: application/problem+json; charset=utf-8');
  expect(isUuid(id)).toBe(true);
  const body = JSON.parse(raw.slice(split + 4)) as { status: number; code: string; request_id: string };
  expect(body.request_id).toBe(id);
  await reporter.flush();
  expect(recordFor(log.records, id)).toMatchObject({ protocol: 'ws', source: 'ws.upgrade' });
  return { status: Number(raw.slice(9, 12)), head, body };
}

describe('verifyClient refusals are the adapter answer', () => {
  it('a callback refusal: its status, never its message or headers (challenge scheme and error code only)', async () => {
    const answer = await refused(asyncPort, '/callback-refuses');
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('UNAUTHENTICATED');
    expect(answer.head).toContain('\r\nwww-authenticate: Bearer realm="ws", error="invalid_token"');
  });

  it.each([
    ['a callback refusal with 500', '/callback-500', ''],
    ['an async verifyClient that rejects (no unhandled rejection)', '/async-rejects', ''],
    ['a verifyClient that throws', '/throws', ''],
    [
      'a handleProtocols throw after an async yes (no uncaught exception)',
      '/protocols-throw',
      'Sec-WebSocket-Protocol: boom\r\n',
    ],
  ])('%s: 500 INTERNAL', async (_label, path, extra) => {
    const answer = await refused(asyncPort, path, extra);
    expect(answer.status).toBe(500);
    expect(answer.body.code).toBe('INTERNAL');
  });

  it("an error carrying the upgrade request: recorded with it, the request's credentials redacted", async () => {
    // A browser cannot set headers on a handshake: its token goes in the query or as a subprotocol.
    const answer = await refused(
      asyncPort,
      '/throws-with-request?access_token=QueryTok77abc&room=7',
      'Cookie: sid=CookieVal77\r\nX-Api-Key: ApiKey77xyz\r\nSec-WebSocket-Protocol: bearer, SubprotoTok77abc\r\n',
    );
    expect(answer.status).toBe(500);
    const record = JSON.stringify(recordFor(log.records, answer.body.request_id));
    expect(record).not.toMatch(/QueryTok77|CookieVal77|ApiKey77|SubprotoTok77/);
    // What the operator needs is still there: the path, the harmless parameter, the header names.
    expect(record).toContain('/throws-with-request?access_token=[REDACTED]&room=7');
    expect(record).toContain('"rawHeaders":["Host","x"');
  });

  it.each([
    ['503 (async), its Retry-After kept, its other headers dropped', '/own-503', 503, 'UNAVAILABLE', 'retry-after: 30'],
    ['503 (called back synchronously)', '/own-503-sync', 503, 'UNAVAILABLE', 'retry-after: 5'],
    ['502, its Set-Cookie dropped', '/own-502', 502, 'BAD_GATEWAY', ''],
  ])('a callback refusal with its own status, %s', async (_label, path, status, code, header) => {
    const answer = await refused(asyncPort, path);
    expect([answer.status, answer.body.status, answer.body.code]).toEqual([status, status, code]);
    expect(answer.head).toContain(`\r\n${header}`);
    expect(answer.head).not.toMatch(/set-cookie/i);
  });

  it.each(Object.keys(HOSTILE_CODES))("a callback refusal with the code %s: 401, ws's default", async (name) => {
    const answer = await refused(asyncPort, `/hostile-${encodeURIComponent(name)}`);
    expect([answer.status, answer.body.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it("a ws client refused with the application's 503 sees 503 and the id", async () => {
    const client = new WebSocket(`ws://127.0.0.1:${asyncPort}/own-503`);
    client.on('error', () => undefined);
    const response = await new Promise<IncomingMessage>((resolve) =>
      client.once('unexpected-response', (_r, res) => resolve(res)),
    );
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('30');
    expect(response.headers['x-secret']).toBeUndefined();
    expect(isUuid(response.headers['x-request-id'])).toBe(true);
    response.destroy();
  });

  it('a sync verifyClient that says no: 401 problem JSON', async () => {
    expect((await refused(syncPort, '/no')).status).toBe(401);
  });

  it('a one-parameter async verifyClient that resolves false is refused, not taken as a yes', async () => {
    expect((await refused(promisePort, '/no')).body.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['callback', () => asyncPort],
    ['sync', () => syncPort],
    ['promise', () => promisePort],
  ])('a %s verifyClient that says yes still upgrades', async (_label, port) => {
    const client = new WebSocket(`ws://127.0.0.1:${port()}/ok`);
    const first = await new Promise<string>((resolve, reject) => {
      client.once('message', (data) => resolve(String(data)));
      client.once('error', reject);
    });
    expect(first).toBe('welcome');
    client.close();
  });

  it('an async yes that comes once the server is closing: 503 problem JSON, not ws text/html', async () => {
    let verifying: () => void = () => undefined;
    const called = new Promise<void>((resolve) => {
      verifying = resolve;
    });
    let release: (ok: boolean) => void = () => undefined;
    const port = await start({
      verifyClient: ((_info: unknown, done: Verdict) => {
        release = done;
        verifying();
      }) as never,
    });
    const wss = lastWss as WebSocketServer;
    const answer = refused(port, '/');
    await called;
    wss.close();
    release(true);
    const { status, head, body } = await answer;
    expect(status).toBe(503);
    expect(body.code).toBe('UNAVAILABLE');
    expect(head).toContain('\r\nretry-after: ');
  });
});

describe('a throw after the 101', () => {
  it("from a 'connection' listener the adapter did not wrap: close 1011 INTERNAL <id>, no HTTP in the stream", async () => {
    const port = await start({}, () => {
      throw new Error(`listener db.internal ${SECRET}`);
    });
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    const errors: string[] = [];
    client.on('error', (error) => errors.push(String(error)));
    const close = await new Promise<{ code: number; reason: string }>((resolve) =>
      client.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    expect(errors).toEqual([]);
    expect(close.code).toBe(1011);
    const [code, id] = close.reason.split(' ');
    expect(code).toBe('INTERNAL');
    expect(isUuid(id)).toBe(true);
    await reporter.flush();
    expect(recordFor(log.records, id)).toMatchObject({ protocol: 'ws', source: 'ws.connection' });
  });
});
