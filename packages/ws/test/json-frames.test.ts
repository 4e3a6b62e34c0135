/**
 * What `fl.json` takes as JSON from a hostile client: text and binary frames, fragmented messages,
 * every `binaryType`, and bytes that are not UTF-8. JSON text is UTF-8 (RFC 8259 §8.1): a message
 * that is not (a binary frame, or a text frame on a server with `skipUTF8Validation`) is the
 * client's `VALIDATION_FAILED` with the socket left open, never decoded with U+FFFD in place of
 * its bytes and handed to the handler. Real ws servers, raw-frame and ws clients on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { TAXONOMY } from '@faultline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerOptions, WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const servers: Server[] = [];
const wsServers: WebSocketServer[] = [];

/** A server whose json handler echoes what it parsed (`binaryType` set on every socket). */
async function start(options: ServerOptions, binaryType?: WebSocket['binaryType']): Promise<number> {
  const fl = createWsAdapter({ reporter: false });
  const wss = new WebSocketServer({ noServer: true, ...options });
  wss.on(
    'connection',
    fl.connection((socket) => {
      if (binaryType !== undefined) socket.binaryType = binaryType;
      socket.on(
        'message',
        fl.json(socket, (message) => socket.send(`parsed ${JSON.stringify(message)}`)),
      );
    }),
  );
  const server = createServer();
  server.on('upgrade', fl.upgrade(wss));
  servers.push(server);
  wsServers.push(wss);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

let plain = 0;
let unchecked = 0;
let arraybuffer = 0;
let fragments = 0;
beforeAll(async () => {
  plain = await start({});
  unchecked = await start({ skipUTF8Validation: true });
  arraybuffer = await start({}, 'arraybuffer');
  fragments = await start({}, 'fragments');
});
afterAll(async () => {
  for (const wss of wsServers) for (const client of wss.clients) client.terminate();
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/** A masked client frame (mask 0, so the payload goes as is). */
function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

/** A raw client past the handshake on `port`; resolves with it and a reader of the server's text frames. */
function rawClient(port: number): Promise<{ client: Socket; nextText: () => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const client = connect(port, '127.0.0.1');
    client.once('error', reject);
    client.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    let pending = Buffer.alloc(0);
    const waiting: ((text: string) => void)[] = [];
    const drain = () => {
      // Unmasked server frames: a 7-bit or 16-bit length (every answer here is under 64 KiB).
      while (pending.length >= 2 && waiting.length > 0) {
        const short = (pending[1] as number) & 0x7f;
        const start = short === 126 ? 4 : 2;
        if (pending.length < start) return;
        const length = short === 126 ? pending.readUInt16BE(2) : short;
        if (pending.length < start + length) return;
        const opcode = (pending[0] as number) & 0x0f;
        const payload = pending.subarray(start, start + length);
        pending = pending.subarray(start + length);
        (waiting.shift() as (text: string) => void)(opcode === 1 ? String(payload) : `opcode ${opcode}`);
      }
    };
    client.once('data', (head: Buffer) => {
      expect(String(head)).toMatch(/^HTTP\/1\.1 101 /);
      client.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        drain();
      });
      resolve({
        client,
        nextText: () =>
          new Promise((next) => {
            waiting.push(next);
            drain();
          }),
      });
    });
  });
}

function codeOf(text: string): string | undefined {
  return text.startsWith('{') ? (JSON.parse(text) as { error: { code: string } }).error.code : undefined;
}

describe('bytes that are not UTF-8 are not JSON', () => {
  it.each([
    ['a binary frame', () => plain, 2],
    ['a text frame on a server with skipUTF8Validation', () => unchecked, 1],
  ])('%s: VALIDATION_FAILED, the socket stays open', async (_label, port, opcode) => {
    const { client, nextText } = await rawClient(port());
    // "\xff" and {"a":"\xc3("}: a lone byte, and a truncated sequence, inside JSON strings.
    for (const bytes of [
      [0x22, 0xff, 0x22],
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d],
    ]) {
      client.write(frame(opcode, Buffer.from(bytes)));
      const answer = await nextText();
      expect(answer).not.toContain('\ufffd');
      expect(codeOf(answer)).toBe(TAXONOMY.validation.code);
    }
    client.write(frame(opcode, Buffer.from('{"still":"open"}')));
    expect(await nextText()).toBe('parsed {"still":"open"}');
    client.destroy();
  });
});

describe('JSON the client may send', () => {
  it('in a binary frame, in fragments, with a control frame between them', async () => {
    const { client, nextText } = await rawClient(plain);
    client.write(frame(2, Buffer.from('{"via":"binary","é":1}')));
    expect(await nextText()).toBe('parsed {"via":"binary","é":1}');
    // A two-byte character split across fragments, a ping between them.
    const text = Buffer.from('["é"]');
    client.write(frame(1, text.subarray(0, 3), false));
    client.write(frame(9, Buffer.from('p')));
    client.write(frame(0, text.subarray(3), true));
    expect(await nextText()).toBe('opcode 10'); // the pong
    expect(await nextText()).toBe('parsed ["é"]');
    client.destroy();
  });

  it.each([
    ['arraybuffer', () => arraybuffer],
    ['fragments', () => fragments],
  ])("with the server's binaryType %s: parsed, and not-JSON still VALIDATION_FAILED", async (_label, port) => {
    const client = new WebSocket(`ws://127.0.0.1:${port()}/`);
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    const next = () => new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
    client.send('{"n":1}');
    expect(await next()).toBe('parsed {"n":1}');
    client.send(Buffer.from([0x5b, 0xfe, 0x5d]), { binary: true });
    expect(codeOf(await next())).toBe(TAXONOMY.validation.code);
    client.send('not json');
    expect(codeOf(await next())).toBe(TAXONOMY.validation.code);
    client.close();
  });
});
