/**
 * Red team, the client's side and the application's own calls around a socket: close frames a
 * client makes invalid (a code no one may send, a 124-byte reason, a reason that is not UTF-8),
 * a client that half-closes TCP while a handler is failing, a ping flood from a client that never
 * reads, thousands of connections opened and dropped (nothing kept per dead connection), a
 * hostile close reason the application hands `socket.close`, and an error ws passes to
 * `socket.send`'s callback. The server answers each with its code and id (or records it), keeps
 * serving, and nothing reaches `uncaughtException`. Real ws server, raw and ws clients on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createReporter, FaultError, isUuid } from '@faultline/core';
import { memoryLog, recordFor, until } from '@faultline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';
import { FORBIDDEN, SECRET } from './red-team-values.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let wss: WebSocketServer;
let port = 0;
/** The server side of every connection, weakly: churn must not keep any. */
const accepted: WeakRef<WebSocket>[] = [];

const thrower = () => {
  throw new Error(`reason ${SECRET}`);
};
/** Close reasons the application may hand `socket.close(4000, reason)`: each makes ws throw. */
const REASONS: Record<string, () => unknown> = {
  'a Proxy with throwing traps': () => new Proxy({}, { get: thrower, has: thrower }),
  'an object whose length getter throws': () => Object.defineProperty({}, 'length', { get: thrower }),
  'a 200-byte string holding the secret': () => `${SECRET} ${'x'.repeat(200)}`,
  'an object with a length': () => ({ length: 5, secret: SECRET }),
};

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    fl.connection((socket) => {
      accepted.push(new WeakRef(socket));
      socket.on(
        'message',
        fl.message(socket, (data) => {
          const text = String(data);
          if (text === 'echo') return void socket.send('alive');
          if (text.startsWith('reason:')) return void socket.close(4000, (REASONS[text.slice(7)] as () => string)());
          if (text === 'send-after-close') {
            socket.close(4001, 'bye');
            return void socket.send('late', (error) => error && fl.fail(socket, error, 'ws.send'));
          }
          // 'slow': a failure once the client may have half-closed or left.
          return new Promise((resolve) => setTimeout(resolve, text === 'slow' ? 30 : 0)).then(() => {
            throw FaultError.of('conflict', { message: `users_private ${SECRET}`, stack: false });
          });
        }),
      );
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

/** A raw client past the handshake; resolves with it and the connection id of its 101. */
function rawClient(): Promise<{ raw: Socket; connectionId: string; received: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const raw = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    raw.once('error', reject);
    raw.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    raw.once('data', (head) => {
      const connectionId = /x-request-id: (\S+)/i.exec(String(head))?.[1] ?? '';
      raw.on('data', (chunk: Buffer) => received.push(chunk));
      resolve({ raw, connectionId, received });
    });
  });
}

/** A masked client frame (mask 0) with `payload`. */
function frame(opcode: number, payload: Buffer): Buffer {
  const head =
    payload.length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | payload.length])
      : Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, Buffer.alloc(4), payload]);
}

/** A close payload: `code` then `reason`. */
function closePayload(code: number, reason: Buffer): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeUInt16BE(code);
  return Buffer.concat([buf, reason]);
}

/** A ws client: resolves once open, with what it gets. */
function open(): Promise<{ client: WebSocket; frames: string[]; closed: Promise<[number, string]> }> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    const frames: string[] = [];
    client.on('message', (data) => frames.push(String(data)));
    const closed = new Promise<[number, string]>((done) =>
      client.once('close', (code, reason) => done([code, String(reason)])),
    );
    client.once('open', () => resolve({ client, frames, closed }));
    client.once('error', reject);
  });
}

/** The server still answers a new client. */
async function stillServing(): Promise<void> {
  const { client, frames } = await open();
  client.send('echo');
  await until(() => frames.includes('alive'));
  expect(frames).toEqual(['alive']);
  client.close();
}

/** True once a record of the connection `connectionId` with `reason` (or any) is written. */
async function recorded(connectionId: string, reason?: string): Promise<boolean> {
  const match = () =>
    log.records.some(
      (r) =>
        (r.attributes as { connection_id?: string } | undefined)?.connection_id === connectionId &&
        (reason === undefined || r.reason === reason),
    );
  await until(() => {
    void reporter.flush();
    return match();
  });
  return match();
}

describe('a client close frame ws refuses', () => {
  it.each([
    ['code 1005 (never sent on the wire)', closePayload(1005, Buffer.alloc(0)), 1002, 'ws:WS_ERR_INVALID_CLOSE_CODE'],
    ['code 2999', closePayload(2999, Buffer.from('x')), 1002, 'ws:WS_ERR_INVALID_CLOSE_CODE'],
    [
      'a 124-byte reason',
      closePayload(4000, Buffer.alloc(124, 0x61)),
      1002,
      'ws:WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
    ],
    ['a reason that is not UTF-8', closePayload(4000, Buffer.from([0xff, 0xfe])), 1007, 'ws:WS_ERR_INVALID_UTF8'],
  ])(
    '%s: closed with a protocol code, recorded with the connection id, the server serves on',
    async (_label, payload, code, reason) => {
      const { raw, connectionId, received } = await rawClient();
      raw.write(frame(0x8, payload));
      await new Promise((resolve) => raw.once('close', resolve));
      const close = Buffer.concat(received);
      expect(close[0]).toBe(0x88);
      expect(close.readUInt16BE(2)).toBe(code);
      expect(await recorded(connectionId, reason)).toBe(true);
      await stillServing();
    },
  );
});

describe('a client that half-closes TCP while a handler fails', () => {
  it('is ended by the server too (no socket left half open), the late fault recorded', async () => {
    const { raw, connectionId } = await rawClient();
    const ended = new Promise((resolve) => raw.once('end', resolve));
    raw.write(frame(0x1, Buffer.from('slow')));
    raw.end(); // FIN: the client sends nothing more, but could still read
    await ended;
    expect(await recorded(connectionId)).toBe(true);
    await until(() => wss.clients.size === 0);
    expect(wss.clients.size).toBe(0);
    raw.destroy();
    await stillServing();
  });
});

describe('a ping flood', () => {
  it('ws terminates the connection (its maxPendingAutoPongs): recorded with the connection id, the server serves on', async () => {
    const { raw, connectionId } = await rawClient();
    raw.pause(); // never reads the pongs
    const ping = frame(0x9, Buffer.alloc(125, 0x70));
    raw.write(Buffer.concat(Array.from({ length: 2000 }, () => ping)));
    await until(() => wss.clients.size === 0);
    expect(wss.clients.size).toBe(0);
    expect(await recorded(connectionId)).toBe(true);
    raw.destroy();
    const records = log.records.filter(
      (r) => (r.attributes as { connection_id?: string } | undefined)?.connection_id === connectionId,
    );
    expect(records.map((r) => [r.category, r.source])).toEqual([['rate_limited', 'ws.socket']]);
    await stillServing();
  });
});

describe('thousands of connections opened and dropped', () => {
  it('keeps nothing of a dead connection: every socket is collected', async () => {
    const first = accepted.length;
    for (let round = 0; round < 1000; round += 1) {
      const { raw } = await rawClient();
      if (round % 2 === 0) raw.write(frame(0x1, Buffer.from('fail')));
      if (round % 3 === 0) raw.destroy();
      else raw.end(frame(0x8, closePayload(1000, Buffer.alloc(0))));
    }
    await until(() => wss.clients.size === 0, 5000);
    expect(wss.clients.size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refs = accepted.slice(first);
    expect(refs.length).toBe(1000);
    let alive = refs.length;
    for (let i = 0; i < 20 && alive > 0; i += 1) {
      gc();
      alive = refs.filter((ref) => ref.deref() !== undefined).length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(alive).toBe(0);
    await stillServing();
  }, 60_000);
});

describe("the application's own calls", () => {
  it.each(Object.keys(REASONS))('socket.close(4000, %s): closed 1011 "INTERNAL <id>", recorded', async (name) => {
    const { client, closed } = await open();
    client.send(`reason:${name}`);
    const [code, reason] = await closed;
    expect(code).toBe(1011);
    expect(reason).not.toMatch(FORBIDDEN);
    const [publicCode, id] = reason.split(' ');
    expect(publicCode).toBe('INTERNAL');
    expect(isUuid(id)).toBe(true);
    await reporter.flush();
    expect(recordFor(log.records, id)).toMatchObject({ protocol: 'ws', code: 'INTERNAL' });
    await stillServing();
  });

  it("an error ws passes to socket.send's callback after a close: recorded, nothing sent after the close", async () => {
    const { client, frames, closed } = await open();
    client.send('send-after-close');
    expect(await closed).toEqual([4001, 'bye']);
    expect(frames).toEqual([]);
    await reporter.flush();
    await until(() => log.records.some((r) => r.source === 'ws.send'));
    expect(log.records.find((r) => r.source === 'ws.send')).toMatchObject({ protocol: 'ws' });
  });
});
