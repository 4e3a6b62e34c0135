/**
 * `async` listeners the application adds to an adopted socket itself, not through `fl.message`:
 * `socket.on('message', async () => { throw … })` (and `addListener`, `once`, `prependListener`,
 * `prependOnceListener`, `addEventListener`, `onmessage`; 'ping', 'pong', 'close'). Their promise
 * used to reject outside every adapter frame and reach `unhandledRejection`, which ends the process
 * in Node's default mode. Each rejection must be answered as a throw is (a close `1011 INTERNAL
 * <id>`, or an error frame for a client fault), recorded once under the connection id, with
 * nothing reaching `uncaughtException` or `unhandledRejection`; removing a listener must still
 * work. Real ws server and client on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { createReporter, FaultError, isUuid } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';
import { categoryOf, FORBIDDEN, make, PLAIN_VALUES, VALUES } from './red-team-values.js';

const SECRET = 'hunter2-async';
const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const fl = createWsAdapter({ reporter });
let server: Server;
let wss: WebSocketServer;
let port = 0;

const rejecting = async () => {
  throw new Error(`async listener failed ${SECRET}`);
};

/** A thenable that rejects twice with a client fault: answered once. */
const rejectsTwice = {
  // biome-ignore lint/suspicious/noThenProperty: a thenable that breaks the rules is the point
  then(_onFulfilled: unknown, onRejected: (reason: unknown) => unknown) {
    onRejected(FaultError.of('conflict', { message: SECRET, stack: false }));
    onRejected(FaultError.of('conflict', { message: SECRET, stack: false }));
  },
};

/** What a synchronous 'message' listener returns for each message of the `thenables` connection. */
function returned(text: string): unknown {
  if (text === 'getter') {
    return Object.defineProperty({}, 'then', {
      get() {
        throw new Error(`then getter ${SECRET}`);
      },
    });
  }
  if (text === 'twice') return rejectsTwice;
  if (text === 'then-throws') {
    return {
      // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
      then() {
        throw new Error(`then threw ${SECRET}`);
      },
    };
  }
  return undefined;
}

/** Adds the listeners of connection `kind` (the request path) to `socket`. */
function listen(socket: WebSocket, kind: string): void {
  const echo = (data: unknown) => socket.send(`echo:${data}`);
  switch (kind) {
    case 'on':
    case 'addListener':
    case 'once':
    case 'prependListener':
    case 'prependOnceListener':
      (socket[kind] as (event: string, listener: () => unknown) => unknown).call(socket, 'message', rejecting);
      return;
    case 'ping':
      socket.on('ping', rejecting);
      return;
    case 'pong':
      socket.on('pong', rejecting);
      socket.ping();
      return;
    case 'close':
      socket.once('close', rejecting);
      return;
    case 'addEventListener':
      socket.addEventListener('message', rejecting);
      return;
    case 'handleEvent':
      socket.addEventListener('message', { handleEvent: rejecting });
      return;
    case 'onmessage':
      socket.onmessage = rejecting;
      return;
    case 'conflict':
      socket.on('message', async () => {
        throw FaultError.of('conflict', { message: SECRET, stack: false });
      });
      socket.on('message', echo);
      return;
    case 'own': {
      // The adapter's own listener returns no thenable: added as it is, no wrapper call per message.
      const own = fl.message(socket, (data) => socket.send(`own:${data}`));
      socket.on('message', own);
      socket.send(`raw:${socket.rawListeners('message').includes(own)}`);
      return;
    }
    case 'thenables':
      socket.on('message', (data) => returned(String(data)) ?? echo(data));
      return;
    case 'removed': {
      // Each added and removed again: none may run.
      socket.on('message', rejecting);
      socket.off('message', rejecting);
      socket.once('message', rejecting);
      socket.removeListener('message', rejecting);
      socket.prependOnceListener('message', rejecting);
      socket.off('message', rejecting);
      socket.addEventListener('message', rejecting);
      socket.removeEventListener('message', rejecting);
      socket.onmessage = rejecting;
      socket.onmessage = null;
      const report = (data: unknown) => {
        const same = socket.listeners('message')[0] === report;
        socket.send(`echo:${data}:${socket.listenerCount('message')}:${same}`);
      };
      socket.on('message', report);
      return;
    }
    default:
      socket.on('message', async () => {
        throw make(decodeURIComponent(kind));
      });
      socket.on('message', echo);
  }
}

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  wss = new WebSocketServer({ noServer: true });
  // The application's own 'connection' listener: no fl.connection anywhere.
  wss.on('connection', (socket, request) => listen(socket, request.url?.slice(1) ?? ''));
  server = createServer();
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  expect(crashes.splice(0).map(String)).toEqual([]);
});

/** Opens `/<kind>`; resolves once open, with the frames and the close the client gets. */
async function open(kind: string) {
  const client = new WebSocket(`ws://127.0.0.1:${port}/${encodeURIComponent(kind)}`);
  const frames: string[] = [];
  let connectionId = '';
  client.once('upgrade', (response) => {
    connectionId = String(response.headers['x-request-id']);
  });
  client.on('message', (data) => frames.push(String(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  return { client, frames, closed, connectionId };
}

/** The records of connection `connectionId` (waits for `count` of them). */
async function recordsOf(connectionId: string, count = 1) {
  const find = () =>
    log.records.filter((r) => (r.attributes as { connection_id?: string } | undefined)?.connection_id === connectionId);
  await reporter.flush();
  await until(() => find().length >= count);
  return find();
}

/** Expects a close `1011 INTERNAL <id>` and one record of it, under the connection id. */
async function expectInternalClose(connection: Awaited<ReturnType<typeof open>>) {
  const { code, reason } = await connection.closed;
  expect(code).toBe(1011);
  const [faultCode, id] = reason.split(' ');
  expect(faultCode).toBe('INTERNAL');
  expect(isUuid(id)).toBe(true);
  expect(reason).not.toContain(SECRET);
  const records = await recordsOf(connection.connectionId);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ code: 'INTERNAL', request_id: id, source: 'ws.listener' });
}

describe('an async listener the application adds to an adopted socket', () => {
  it.each([
    'on',
    'addListener',
    'once',
    'prependListener',
    'prependOnceListener',
    'addEventListener',
    'handleEvent',
    'onmessage',
  ])('a rejection of a \'message\' listener added with %s: close 1011 "INTERNAL <id>", recorded once', async (kind) => {
    const connection = await open(kind);
    connection.client.send('boom');
    await expectInternalClose(connection);
  });

  it.each([
    ['ping', (client: WebSocket) => client.ping()],
    ['pong', () => undefined],
  ])("a rejection of a '%s' listener: close 1011, recorded once", async (kind, act) => {
    const connection = await open(kind);
    act(connection.client);
    await expectInternalClose(connection);
  });

  it("a rejection of a 'close' listener: recorded under the connection, nothing crashes", async () => {
    const { client, closed, connectionId } = await open('close');
    client.close(1000);
    await closed;
    const [record] = await recordsOf(connectionId);
    expect(record).toMatchObject({ code: 'INTERNAL', source: 'ws.listener' });
  });

  it('a client fault rejected: an error frame, the socket stays open, the next listener still runs', async () => {
    const { client, frames } = await open('conflict');
    client.send('a');
    client.send('b');
    await until(() => frames.length === 4);
    expect(frames.filter((f) => f.startsWith('echo:'))).toEqual(['echo:a', 'echo:b']);
    const errors = frames.filter((f) => !f.startsWith('echo:')).map((f) => JSON.parse(f).error.code);
    expect(errors).toEqual(['CONFLICT', 'CONFLICT']);
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.close();
  });

  it('a listener removed (off, removeListener, removeEventListener, onmessage = null) does not run', async () => {
    const { client, frames } = await open('removed');
    client.send('x');
    await until(() => frames.length === 1);
    // Only the last listener is left, and `listeners()` gives it back as it was added.
    expect(frames).toEqual(['echo:x:1:true']);
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.close();
  });

  it("the adapter's own listener (fl.message) is added as it is", async () => {
    const { client, frames } = await open('own');
    client.send('x');
    await until(() => frames.length === 2);
    expect(frames).toEqual(['raw:true', 'own:x']);
    client.close();
  });

  it('a thenable returned by a sync listener: a throwing `then` getter is no thenable, one that rejects twice is answered once', async () => {
    const { client, frames, connectionId } = await open('thenables');
    client.send('getter');
    client.send('twice');
    client.send('after');
    await until(() => frames.includes('echo:after') && frames.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Nothing for the getter; one error frame for the twice-rejecting thenable (answered a turn later).
    expect(frames.map((f) => (f.startsWith('echo:') ? f : JSON.parse(f).error.code)).sort()).toEqual([
      'CONFLICT',
      'echo:after',
    ]);
    expect(await recordsOf(connectionId)).toHaveLength(1);
    client.send('then-throws');
    const { code } = await new Promise<{ code: number }>((resolve) =>
      client.once('close', (c) => resolve({ code: c })),
    );
    expect(code).toBe(1011);
  });
});

describe('hostile values an async listener rejects with', () => {
  it.each([...Object.keys(VALUES), ...Object.keys(PLAIN_VALUES)])(
    '%s: answered as its category, recorded once, nothing leaks',
    async (name) => {
      const connection = await open(name);
      connection.client.send('go');
      const category = categoryOf(name);
      if (category === 'internal') {
        const { code, reason } = await connection.closed;
        expect(code).toBe(1011);
        expect(reason).not.toMatch(FORBIDDEN);
      } else {
        await until(() => connection.frames.length === 2);
        const frame = connection.frames.find((f) => !f.startsWith('echo:')) as string;
        expect(frame).not.toMatch(FORBIDDEN);
        expect(JSON.parse(frame).error.status).toBeGreaterThanOrEqual(400);
        connection.client.close();
      }
      const records = await recordsOf(connection.connectionId);
      expect(records).toHaveLength(1);
      expect(records[0]?.category).toBe(category);
    },
  );
});
