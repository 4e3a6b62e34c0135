/**
 * A client's own `X-Request-ID` on the upgrade: sent twice, not a UUID, a UUID of another
 * version, hostile text, or a valid v4 in upper case. Only a single v4 is kept (lower-cased), as
 * the refused upgrade's id (header, body, log) and as the connection's id; anything else is
 * replaced by a fresh v4, never reflected to the client, and logged escaped as the refused value.
 * Real server, raw HTTP and ws clients on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createReporter, isUuid } from '@faultline/core';
import { memoryLog, rawHttpExchange, recordFor } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type ConnectionContext, createWsAdapter } from '../src/index.js';

const HANDSHAKE =
  'Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const contexts = new Map<string, ConnectionContext>();
let server: Server;
let wss: WebSocketServer;
let port = 0;

beforeAll(async () => {
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    fl.connection((socket, context) => {
      contexts.set(String(context.request.headers['x-probe']), context);
      socket.on(
        'message',
        fl.message(socket, () => {
          throw new Error('handler failed');
        }),
      );
    }),
  );
  server = createServer();
  server.on(
    'upgrade',
    fl.upgrade(wss, (request) => {
      if (request.url === '/refuse') throw new Error('refused');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const mine = randomUUID();
/** Incoming id header lines, and the id the server must use (undefined: a fresh one). */
const CASES: [string, string[], string | undefined][] = [
  ['a v4 in upper case', [mine.toUpperCase()], mine],
  ['the same v4 twice', [mine, mine], undefined],
  ['two different v4s', [mine, randomUUID()], undefined],
  ['a v1 UUID', ['6a1c2a9e-8b7d-11ee-9f0a-1b2c3d4e5f61'], undefined],
  ['a UUID with braces', [`{${mine}}`], undefined],
  ['hostile text', ['<script>alert(1)</script>../../etc/passwd'], undefined],
  ['2 kB of text', ['a'.repeat(2000)], undefined],
];

function headerLines(values: readonly string[]): string {
  return values.map((value) => `X-Request-Id: ${value}\r\n`).join('');
}

describe('a client id on a refused upgrade', () => {
  it.each(CASES)('%s', async (_label, values, kept) => {
    const raw = await rawHttpExchange(port, `GET /refuse HTTP/1.1\r\n${HANDSHAKE}${headerLines(values)}\r\n`);
    expect(raw.startsWith('HTTP/1.1 500 ')).toBe(true);
    const ids = [...raw.matchAll(/\r\nx-request-id: ([^\r]*)/g)].map((match) => match[1]);
    expect(ids).toHaveLength(1);
    const id = ids[0] as string;
    expect(id).toMatch(V4);
    if (kept !== undefined) expect(id).toBe(kept);
    else expect(values.some((value) => raw.toLowerCase().includes(value.toLowerCase().slice(0, 36)))).toBe(false);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { request_id: string };
    expect(body.request_id).toBe(id);
    await reporter.flush();
    const record = recordFor(log.records, id);
    expect(record).toMatchObject({ protocol: 'ws', source: 'ws.upgrade' });
    if (kept === undefined) expect(String(record?.rejected_request_id)).toMatch(/^[\x20-\x7e]{1,90}$/);
    else expect(record?.rejected_request_id).toBeUndefined();
  });
});

describe("a protocol close (ws's own, with no reason)", () => {
  it.each([
    [
      '1007, text that is not UTF-8',
      1007,
      (client: WebSocket) => client.send(Buffer.from([0xff, 0xfe]), { binary: false }),
    ],
    [
      '1002, an unmasked frame',
      1002,
      (client: WebSocket) => rawSocketOf(client).write(Buffer.from([0x81, 0x01, 0x78])),
    ],
  ] as const)('%s: the id the 101 carried finds its record', async (label, code, send) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { 'x-probe': label } });
    const upgraded = new Promise<string | undefined>((resolve) =>
      client.once('upgrade', (response) => resolve(response.headers['x-request-id'] as string | undefined)),
    );
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    const id = await upgraded;
    expect(id).toMatch(V4);
    const closed = new Promise<number>((resolve) => client.once('close', (closeCode) => resolve(closeCode)));
    client.on('error', () => {});
    send(client);
    expect(await closed).toBe(code);
    await reporter.flush();
    const record = log.records.find(
      (r) => (r.attributes as { connection_id?: string } | undefined)?.connection_id === id && r.source === 'ws.socket',
    );
    expect(record).toMatchObject({ protocol: 'ws' });
  });
});

/** The client's TCP socket (to write a frame ws would not send). */
function rawSocketOf(client: WebSocket): { write(chunk: Buffer): unknown } {
  return (client as unknown as { _socket: { write(chunk: Buffer): unknown } })._socket;
}

describe('a client id on an accepted connection', () => {
  it.each(CASES)('%s', async (label, values, kept) => {
    const headers: Record<string, string | string[]> = { 'x-probe': label, 'x-request-id': values };
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: headers as Record<string, string> });
    const upgraded = new Promise<string[]>((resolve) =>
      client.once('upgrade', (response) => resolve(response.headersDistinct['x-request-id'] ?? [])),
    );
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    const context = contexts.get(label) as ConnectionContext;
    expect(context.connectionId).toMatch(V4);
    // The 101 carries the connection's id, once: the one its records are keyed by.
    expect(await upgraded).toEqual([context.connectionId]);
    if (kept !== undefined) {
      expect(context.connectionId).toBe(kept);
      expect(context.refusedId).toBeUndefined();
    } else {
      expect(values).not.toContain(context.connectionId);
      expect(context.refusedId).toMatch(/^[\x20-\x7e]{1,90}$/);
    }
    // A fatal fault: its id in the close reason, the connection's id in its record.
    const closed = new Promise<string>((resolve) => client.once('close', (_code, reason) => resolve(String(reason))));
    client.send('x');
    const [code, faultId] = (await closed).split(' ');
    expect(code).toBe('INTERNAL');
    expect(isUuid(faultId)).toBe(true);
    await reporter.flush();
    expect(recordFor(log.records, faultId)).toMatchObject({ attributes: { connection_id: context.connectionId } });
  });
});
