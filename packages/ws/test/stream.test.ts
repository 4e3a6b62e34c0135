/**
 * ws's `createWebSocketStream(socket)` as its README uses it, under `fl.stream`: a `pipeline`
 * stage that fails closes the socket with the fault's code and `<CODE> <id>` (ws alone terminates
 * it: 1006, no id, nothing recorded), and a peer's protocol error does not crash the process when
 * the duplex has no 'error' listener (ws re-throws it then). Real ws server and clients on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { pipeline, Transform } from 'node:stream';
import { createReporter, isUuid } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const SECRET = 'hunter2-stream';
const log = memoryLog();
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let port = 0;
const sockets: WebSocket[] = [];

/** Echoes each chunk, fails on "bad". */
function echo(): Transform {
  return new Transform({
    transform(chunk, _encoding, done) {
      if (String(chunk) === 'bad') done(new Error(`transform failed ${SECRET}`));
      // Node's Transform does not catch this: it would throw inside ws's 'message' listener.
      else if (String(chunk) === 'throw') throw new Error(`transform threw ${SECRET}`);
      else done(null, `echo:${chunk}`);
    },
  });
}

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  const fl = createWsAdapter({
    reporter: createReporter({ logger: log.logger, flushOnExit: false, dedupWindowMs: 0 }),
  });
  const wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    fl.connection((socket, { request }) => {
      sockets.push(socket);
      const duplex = fl.stream(socket, createWebSocketStream(socket, { encoding: 'utf8' }));
      // The README's echo: no 'error' listener on the duplex.
      if (request.url === '/pipe') duplex.pipe(duplex);
      else pipeline(duplex, echo(), duplex, () => {});
    }),
  );
  server = createServer((_request, response) => response.writeHead(426).end());
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  for (const socket of sockets) socket.terminate();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('fl.stream over createWebSocketStream', () => {
  it('closes with the fault code and "<CODE> <id>" when a pipeline stage fails', async () => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    const messages: string[] = [];
    client.on('message', (data) => messages.push(String(data)));
    await new Promise((resolve) => client.once('open', resolve));
    client.send('hi');
    client.send('bad');
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      client.once('close', (c, r) => resolve([c, String(r)])),
    );
    expect(messages).toEqual(['echo:hi']);
    expect(code).toBe(1011);
    const [faultCode, id = ''] = reason.split(' ');
    expect(faultCode).toBe('INTERNAL');
    expect(isUuid(id)).toBe(true);
    expect(reason).not.toContain(SECRET);
    expect(log.records.find((r) => r.source === 'ws.stream')).toMatchObject({ code: 'INTERNAL', request_id: id });
  });

  it('closes with 1011 "INTERNAL <id>" when a stage throws instead of calling back (no crash)', async () => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((resolve) => client.once('open', resolve));
    client.send('throw');
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      client.once('close', (c, r) => resolve([c, String(r)])),
    );
    expect(crashes).toEqual([]);
    expect(code).toBe(1011);
    const [faultCode, id = ''] = reason.split(' ');
    expect(faultCode).toBe('INTERNAL');
    expect(log.records.find((r) => r.request_id === id)).toMatchObject({ source: 'ws.stream' });
  });

  it('does not crash the process on a peer protocol error when the duplex has no error listener', async () => {
    const raw = connect(port, '127.0.0.1');
    raw.write(
      'GET /pipe HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise((resolve) => raw.once('data', resolve));
    raw.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0])); // reserved opcode 3, masked, empty
    await new Promise((resolve) => raw.once('end', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(crashes).toEqual([]);
    expect(log.records.find((r) => r.reason === 'ws:WS_ERR_INVALID_OPCODE')).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    raw.destroy();
  });
});
