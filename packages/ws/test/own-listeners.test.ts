/**
 * Listeners the application adds itself, not through `fl.message`: a raw `wss.on('connection', …)`
 * next to `fl.upgrade`, and `socket.on('message' | 'ping' | 'pong' | 'close' | 'error', …)` on its
 * socket. ws calls them from its parser, inside the TCP socket's 'data' listener: a throw there
 * used to end the process. Each must be answered as a wrapped handler's throw (a close `1011
 * INTERNAL <id>`, or an error frame for a client fault, the socket still parsing), recorded under
 * the connection id, with nothing reaching `uncaughtException`. Real ws server and client on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { createReporter, FaultError, isUuid } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const SECRET = 'hunter2-own';
const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let wss: WebSocketServer;
let port = 0;

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({ noServer: true });
  // The application's own 'connection' listener: no fl.connection anywhere.
  wss.on('connection', (socket, request) => {
    const kind = request.url?.slice(1) ?? '';
    const fail = () => {
      throw new Error(`${kind} listener failed ${SECRET}`);
    };
    if (kind === 'message') {
      socket.on('message', (data) => {
        if (String(data) === 'conflict') throw FaultError.of('conflict', { message: SECRET, stack: false });
        if (String(data) === 'boom') fail();
        socket.send(`echo:${data}`);
      });
    } else if (kind === 'pong') {
      socket.on('pong', fail);
      socket.ping();
    } else {
      socket.on(kind, fail);
    }
  });
  server = createServer();
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  expect(crashes.splice(0).map(String)).toEqual([]);
});

/** Opens `/<kind>`; resolves once open, with the frames and the close the client gets. */
async function open(kind: string) {
  const client = new WebSocket(`ws://127.0.0.1:${port}/${kind}`);
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

/** The record of `connectionId` from `source` (waits for it). */
async function recordOf(connectionId: string) {
  const find = () =>
    log.records.find(
      (r) =>
        r.source === 'ws.listener' &&
        (r.attributes as { connection_id?: string } | undefined)?.connection_id === connectionId,
    );
  await reporter.flush();
  await until(() => find() !== undefined);
  return find();
}

describe("the application's own socket listeners, under fl.upgrade", () => {
  it.each([
    ['message', (client: WebSocket) => client.send('boom')],
    ['ping', (client: WebSocket) => client.ping()],
    ['pong', () => undefined],
  ])('a throw in a \'%s\' listener: close 1011 "INTERNAL <id>", recorded under the connection', async (kind, act) => {
    const { client, closed, connectionId } = await open(kind);
    act(client);
    const { code, reason } = await closed;
    expect(code).toBe(1011);
    const [faultCode, id] = reason.split(' ');
    expect(faultCode).toBe('INTERNAL');
    expect(isUuid(id)).toBe(true);
    expect(reason).not.toContain(SECRET);
    expect(await recordOf(connectionId)).toMatchObject({ code: 'INTERNAL', request_id: id });
  });

  it("a client fault thrown in a 'message' listener: an error frame, and ws still parses the next message", async () => {
    const { client, frames } = await open('message');
    client.send('conflict');
    client.send('next');
    await until(() => frames.length === 2);
    expect(JSON.parse(frames[0] as string).error.code).toBe('CONFLICT');
    expect(frames[1]).toBe('echo:next');
    client.close();
  });

  it("a throw in a 'close' listener: recorded under the connection, nothing crashes", async () => {
    const { client, closed, connectionId } = await open('close');
    client.close(1000);
    await closed;
    expect(await recordOf(connectionId)).toMatchObject({ code: 'INTERNAL' });
  });

  it("a throw in an 'error' listener (a peer's protocol error): recorded, nothing crashes", async () => {
    const { client, closed, connectionId } = await open('error');
    // A reserved opcode: ws's parser reports it as the socket's 'error'.
    (client as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
    expect((await closed).code).toBe(1002);
    expect(await recordOf(connectionId)).toMatchObject({ code: 'INTERNAL' });
  });
});
