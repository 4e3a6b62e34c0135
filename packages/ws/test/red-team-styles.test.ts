/**
 * Red team: each hostile value (red-team-values.ts) through each failure style no other table
 * crosses it with: a message handler (sync, async, on a binary and on a fragmented message), a
 * connection handler's rejection, an upgrade check that is async or returns a rejected promise,
 * a `verifyClient` that throws or rejects, `socket.emit('error', v)`, a `fl.stream` pipeline
 * stage, a throw while the socket is closing and after the client left. What the client gets
 * is checked (code, status, generic message, an id that is the record's, nothing of the value's
 * text), the socket stays usable after a recoverable fault, the server keeps serving, and
 * nothing reaches `uncaughtException` or `unhandledRejection`. Real ws server and client on 127.0.0.1.
 */
import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { pipeline, Transform } from 'node:stream';
import { createReporter, FaultError, TAXONOMY } from '@faultline/core';
import { memoryLog, rawHttpExchange, recordFor, until } from '@faultline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';
import { categoryOf, FORBIDDEN, make, SECRET, VALUES } from './red-team-values.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let wss: WebSocketServer;
let port = 0;

/**
 * A thenable that calls back in `order` (`fulfil,reject`, `reject,fulfil`, `reject,reject`), with a
 * recoverable fault for each rejection: a promise settles once, this does not.
 */
function misbehaving(order: string): PromiseLike<unknown> {
  return {
    // biome-ignore lint/suspicious/noThenProperty: a thenable that breaks the rules is the point
    then(onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) {
      for (const step of order.split(',')) {
        if (step === 'fulfil') onFulfilled?.(true);
        else onRejected?.(FaultError.of('conflict', { message: `users_private ${SECRET}`, stack: false }));
      }
      return this;
    },
  } as PromiseLike<unknown>;
}

const query = (request: IncomingMessage) => new URL(request.url ?? '/', 'http://x').searchParams;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({
    noServer: true,
    // One parameter: awaited by the adapter for its verdict.
    verifyClient: (async ({ req }: { req: IncomingMessage }) => {
      const name = query(req).get('verify');
      if (name === null) return true;
      if (query(req).get('how') === 'reject') await tick();
      throw make(name);
    }) as never,
  });
  wss.on(
    'connection',
    fl.connection(async (socket, { request }) => {
      const name = query(request).get('connection');
      if (name !== null) {
        await tick();
        throw make(name);
      }
      if (query(request).has('stream')) {
        const duplex = fl.stream(socket, createWebSocketStream(socket, { encoding: 'utf8' }));
        const stage = new Transform({
          transform(chunk, _encoding, done) {
            if (String(chunk) === 'echo') done(null, 'alive');
            else done(make(String(chunk)) as Error);
          },
        });
        pipeline(duplex, stage, duplex, () => {});
        return;
      }
      socket.on(
        'message',
        fl.message(socket, (data) => {
          if (String(data) === 'echo') return void socket.send('alive');
          const { name, style } = JSON.parse(String(data)) as { name: string; style: string };
          if (style === 'twice') return misbehaving('reject,reject');
          if (style === 'emit') return void socket.emit('error', make(name));
          if (style === 'closing') socket.close(4001, 'app bye');
          if (style === 'sync' || style === 'closing') throw make(name);
          // 'async', 'gone': a rejection once the client may have left.
          return new Promise((resolve) => setTimeout(resolve, 20)).then(() => {
            throw make(name);
          });
        }),
      );
    }),
  );
  server = createServer();
  server.on(
    'upgrade',
    fl.upgrade(wss, (request) => {
      const order = query(request).get('thenable');
      if (order !== null) return misbehaving(order);
      const name = query(request).get('upgrade');
      if (name === null) return undefined;
      if (query(request).get('how') === 'rejected') return Promise.reject(make(name));
      return tick().then(() => {
        throw make(name);
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(crashes.splice(0).map(String)).toEqual([]);
});

interface Got {
  readonly connectionId: string;
  readonly frames: string[];
  close?: { code: number; reason: Buffer };
}

/** Opens `path`; resolves once open, with what the client gets from then on. */
function open(path = '/'): Promise<{ client: WebSocket; got: Got }> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    let connectionId = '';
    const frames: string[] = [];
    client.once('upgrade', (response) => {
      connectionId = String(response.headers['x-request-id']);
    });
    client.on('message', (data) => frames.push(String(data)));
    client.once('open', () => {
      const got: Got = { connectionId, frames };
      client.once('close', (code, reason) => {
        got.close = { code, reason };
      });
      resolve({ client, got });
    });
    client.once('error', reject);
  });
}

/** The id the answer carries, checked against `category`: an error frame, or a close `<CODE> <id>`. */
function checkAnswer(got: Got, category: string): string {
  const spec = TAXONOMY[category as keyof typeof TAXONOMY];
  const frame = got.frames.find((text) => text !== 'alive');
  if (frame !== undefined) {
    expect(frame).not.toMatch(FORBIDDEN);
    const { error } = JSON.parse(frame) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ status: spec.http, code: spec.code, message: spec.message });
    expect(error.request_id).toMatch(V4);
    return error.request_id as string;
  }
  const close = got.close as { code: number; reason: Buffer };
  expect(close.code).toBe(spec.wsClose);
  expect(isUtf8(close.reason) && close.reason.length <= 123).toBe(true);
  const [code, id = ''] = String(close.reason).split(' ');
  expect(code).toBe(spec.code);
  expect(id).toMatch(V4);
  return id;
}

/** The record of `id`: the one the client was given, with the category it was answered as. */
async function checkRecord(id: string, category: string, connectionId?: string): Promise<void> {
  await reporter.flush();
  await until(() => recordFor(log.records, id) !== undefined);
  const record = recordFor(log.records, id);
  expect(record).toMatchObject({ protocol: 'ws', category });
  if (connectionId !== undefined) expect(record?.attributes).toMatchObject({ connection_id: connectionId });
}

/** A raw upgrade of `path`: its status and problem JSON, checked; returns the id. */
async function refused(path: string, category: string): Promise<string> {
  const raw = await rawHttpExchange(
    port,
    `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    3000,
  );
  const spec = TAXONOMY[category as keyof typeof TAXONOMY];
  expect(raw.slice(0, 12)).toBe(`HTTP/1.1 ${spec.http}`);
  expect(raw).not.toMatch(FORBIDDEN);
  expect(raw).not.toContain('101 Switching');
  const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
  expect(body).toMatchObject({ code: spec.code, detail: spec.message });
  expect(raw).toContain(`x-request-id: ${body.request_id}`);
  return body.request_id as string;
}

/** Sends `text` as a binary frame, or as two text fragments. */
function sendAs(client: WebSocket, text: string, how: string): void {
  if (how === 'binary') client.send(Buffer.from(text), { binary: true });
  else if (how === 'fragmented') {
    client.send(text.slice(0, 5), { fin: false });
    client.send(text.slice(5), { fin: true });
  } else client.send(text);
}

/** After a recoverable fault the socket still answers; after a fatal one the server does. */
async function stillServing(client: WebSocket, got: Got, fatal: boolean): Promise<void> {
  if (fatal) {
    await until(() => got.close !== undefined);
    const next = await open();
    return stillServing(next.client, next.got, false);
  }
  client.send('echo');
  await until(() => got.frames.includes('alive'));
  expect(got.frames.at(-1)).toBe('alive');
  expect(got.close).toBeUndefined();
  client.close();
}

// Each test has connections, ids and records of its own: the tests run at once, so the settle
// before each check for crashes (afterEach) does not add up test after test.
describe.concurrent.each(Object.keys(VALUES))('%s', (name) => {
  const category = categoryOf(name);
  const fatal = TAXONOMY[category as keyof typeof TAXONOMY].serverFault;

  it.each([
    ['sync', 'text'],
    ['async', 'text'],
    ['sync', 'binary'],
    ['async', 'fragmented'],
  ])('from a message handler (%s, a %s message)', async (style, how) => {
    const { client, got } = await open();
    sendAs(client, JSON.stringify({ name, style }), how);
    await until(() => got.frames.length > 0 || got.close !== undefined);
    await checkRecord(checkAnswer(got, category), category, got.connectionId);
    await stillServing(client, got, fatal);
  });

  it("from the connection handler's rejection", async () => {
    const { got } = await open(`/?connection=${encodeURIComponent(name)}`);
    await until(() => got.frames.length > 0 || got.close !== undefined);
    await checkRecord(checkAnswer(got, category), category, got.connectionId);
  });

  it.each(['async', 'rejected'])('from the upgrade check (%s)', async (how) => {
    await checkRecord(await refused(`/?upgrade=${encodeURIComponent(name)}&how=${how}`, category), category);
  });

  it.each(['throw', 'reject'])('from verifyClient (%s)', async (how) => {
    await checkRecord(await refused(`/?verify=${encodeURIComponent(name)}&how=${how}`, category), category);
  });

  it("emitted as the socket's 'error': recorded under the connection, the socket stays up", async () => {
    const { client, got } = await open();
    client.send(JSON.stringify({ name, style: 'emit' }));
    await stillServing(client, got, false);
    await reporter.flush();
    const attributes = log.records.map((r) => r.attributes as { connection_id?: string } | undefined);
    expect(attributes.some((a) => a?.connection_id === got.connectionId)).toBe(true);
  });

  it('thrown once the application closed the socket: its close stands, the fault is recorded', async () => {
    const { client, got } = await open();
    client.send(JSON.stringify({ name, style: 'closing' }));
    await until(() => got.close !== undefined);
    expect(got.frames).toEqual([]);
    expect([got.close?.code, String(got.close?.reason)]).toEqual([4001, 'app bye']);
    await reporter.flush();
    await until(() => log.records.some((r) => JSON.stringify(r).includes(got.connectionId)));
    expect(log.records.some((r) => JSON.stringify(r).includes(got.connectionId))).toBe(true);
  });

  it('thrown after the client left: recorded under the connection, nothing crashes', async () => {
    const { client, got } = await open();
    client.send(JSON.stringify({ name, style: 'gone' }));
    await tick();
    client.terminate();
    await until(() => log.records.some((r) => JSON.stringify(r).includes(got.connectionId)), 1000);
    await reporter.flush();
    expect(log.records.some((r) => JSON.stringify(r).includes(got.connectionId))).toBe(true);
  });

  // Node's own Transform reads `stack` of what its callback gets: fl.stream guards the stages.
  it('from a fl.stream pipeline stage: closed with the code and "<CODE> <id>"', async () => {
    const { client, got } = await open('/?stream');
    client.send(name);
    await until(() => got.close !== undefined);
    await checkRecord(checkAnswer(got, category), category, got.connectionId);
  });
});

describe.concurrent('a thenable that settles more than once', () => {
  it.each(['fulfil,reject', 'reject,fulfil'])(
    'from the upgrade check (%s): one answer, never HTTP after a 101',
    async (order) => {
      const raw = await rawHttpExchange(
        port,
        `GET /?thenable=${order} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        500,
      ).catch((error: unknown) => String(error));
      const statuses = raw.match(/HTTP\/1\.1 \d{3}/g) ?? [];
      expect(statuses).toEqual([order.startsWith('fulfil') ? 'HTTP/1.1 101' : 'HTTP/1.1 409']);
      expect(raw).not.toMatch(FORBIDDEN);
    },
  );

  it('from a message handler (rejects twice): one error frame, the socket stays usable', async () => {
    const { client, got } = await open();
    client.send(JSON.stringify({ style: 'twice' }));
    await until(() => got.frames.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await stillServing(client, got, false);
    expect(got.frames.map((frame) => (frame === 'alive' ? frame : JSON.parse(frame).error.code))).toEqual([
      'CONFLICT',
      'alive',
    ]);
  });
});
