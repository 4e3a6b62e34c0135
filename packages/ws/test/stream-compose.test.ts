/**
 * `fl.stream`'s duplex consumed the other ways Node offers: `stream.compose(duplex, …stages)` and
 * `for await (const message of duplex)`. An async generator stage that throws a value whose
 * `stack` Node cannot read (a Proxy, a throwing getter) reached Node's `destroy`, which reads
 * `stack` first, inside a promise: `unhandledRejection`, the process ended. A consumer's failure
 * must close the socket with `1011 INTERNAL <id>` and be recorded once; a peer's protocol error
 * rethrown by the loop into the connection handler is the socket's error, recorded once (it was
 * recorded twice). Real ws server and clients on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import * as streams from 'node:stream';
import { type Duplex, pipeline, Transform } from 'node:stream';
import { createReporter, isUuid } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const SECRET = 'hunter2-compose';
/** `stream.compose` (Node 19.8+ and 18.13+; not in this `@types/node`). */
const { compose } = streams as unknown as { compose(...stages: unknown[]): Duplex };
const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let wss: WebSocketServer;
let port = 0;

const thrower = () => {
  throw new Error(`trap ${SECRET}`);
};
/** Values Node's `destroy` cannot read `stack` of, and plain ones. */
const HOSTILE: Record<string, () => unknown> = {
  proxy: () => new Proxy({}, { get: thrower, getPrototypeOf: thrower, has: thrower, ownKeys: thrower }),
  getter: () => Object.defineProperty(new Error(SECRET), 'stack', { get: thrower }),
  message: () => Object.defineProperties({}, { stack: { get: thrower }, message: { get: thrower } }),
  null: () => null,
  undefined: () => undefined,
  string: () => `thrown string ${SECRET}`,
};

/** Passes each chunk on a turn later (so the next stage runs outside the duplex's own call). */
const later = () =>
  new Transform({
    transform(chunk, _encoding, done) {
      setImmediate(done, null, chunk);
    },
  });

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    fl.connection(async (socket, { request }) => {
      const [kind = '', name = ''] = (request.url ?? '').slice(1).split('/');
      const duplex = fl.stream(socket, createWebSocketStream(socket, { encoding: 'utf8' }));
      if (kind === 'generator') {
        const failing = async function* (source: AsyncIterable<unknown>) {
          for await (const chunk of source) {
            if (chunk === 'go') throw (HOSTILE[name] as () => unknown)();
            yield chunk;
          }
        };
        pipeline(compose(duplex, failing), duplex, () => {});
      } else if (kind === 'late-stage') {
        const composed = compose(duplex, later(), async function* (source: AsyncIterable<unknown>) {
          for await (const chunk of source) {
            if (String(chunk) === 'go') throw (HOSTILE[name] as () => unknown)();
            yield chunk;
          }
        });
        pipeline(composed, duplex, () => {});
      } else if (kind === 'consumer') {
        for await (const message of duplex) {
          if (message === 'boom') throw new Error(`consumer failed ${SECRET}`);
          duplex.write(`echo:${message}`);
        }
      }
    }),
  );
  server = createServer();
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  for (const client of wss.clients) client.terminate();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  expect(crashes.splice(0).map(String)).toEqual([]);
});

/** Opens `/<path>`; resolves once open, with the frames, the close and the connection id. */
async function open(path: string) {
  const client = new WebSocket(`ws://127.0.0.1:${port}/${path}`);
  const frames: string[] = [];
  let connectionId = '';
  client.once('upgrade', (response) => {
    connectionId = String(response.headers['x-request-id']);
  });
  client.on('message', (data) => frames.push(String(data)));
  client.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise((resolve) => client.once('open', resolve));
  return { client, frames, closed, connectionId };
}

/** The records of connection `connectionId` (waits for one, then a little for any second). */
async function recordsOf(connectionId: string) {
  const find = () =>
    log.records.filter((r) => (r.attributes as { connection_id?: string } | undefined)?.connection_id === connectionId);
  await reporter.flush();
  await until(() => find().length > 0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await reporter.flush();
  return find();
}

/** Expects a close `1011 INTERNAL <id>`, recorded once under the connection. */
async function expectInternalClose(connection: Awaited<ReturnType<typeof open>>) {
  const { code, reason } = await connection.closed;
  expect(code).toBe(1011);
  const [faultCode, id] = reason.split(' ');
  expect(faultCode).toBe('INTERNAL');
  expect(isUuid(id)).toBe(true);
  expect(reason).not.toContain(SECRET);
  const records = await recordsOf(connection.connectionId);
  expect(records.map((r) => [r.code, r.request_id])).toEqual([['INTERNAL', id]]);
}

describe('stream.compose with the guarded duplex', () => {
  it.each(Object.keys(HOSTILE))(
    'an async generator stage throwing %s (Node cannot read some): close 1011, recorded once, no crash',
    async (name) => {
      const connection = await open(`generator/${name}`);
      connection.client.send('go');
      await expectInternalClose(connection);
    },
  );

  it.each(Object.keys(HOSTILE))(
    'the same from a later stage, a turn after the duplex wrote (%s): close 1011, recorded once',
    async (name) => {
      const connection = await open(`late-stage/${name}`);
      connection.client.send('go');
      await expectInternalClose(connection);
    },
  );
});

describe('for await over the guarded duplex', () => {
  it('a consumer that throws: close 1011 "INTERNAL <id>", recorded once', async () => {
    const connection = await open('consumer');
    connection.client.send('hi');
    await until(() => connection.frames.length === 1);
    connection.client.send('boom');
    await expectInternalClose(connection);
    expect(connection.frames).toEqual(['echo:hi']);
  });

  it("a peer's protocol error the loop rethrows: closed 1002 by ws, recorded once as the socket's", async () => {
    const connection = await open('consumer');
    // A reserved opcode: ws's parser fails the socket, the duplex, and so the loop.
    (connection.client as unknown as { _socket: { write(b: Buffer): void } })._socket.write(
      Buffer.from([0x83, 0x80, 0, 0, 0, 0]),
    );
    expect((await connection.closed).code).toBe(1002);
    const records = await recordsOf(connection.connectionId);
    expect(records.map((r) => [r.code, r.source])).toEqual([['VALIDATION_FAILED', 'ws.socket']]);
  });
});
