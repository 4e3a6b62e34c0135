/**
 * The bounds of WebSocket tunnels through the generated nginx: a 101 the client did not ask for,
 * or one that does not grant its handshake, is still refused; an idle tunnel ends after
 * `tunnelTimeout` while a busy one stays; a graceful stop (SIGQUIT) or a fast one (SIGTERM) with
 * tunnels open ends within its bound. Real nginx, a raw backend and a `ws` service on 127.0.0.1.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, until } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logged } from './answers.js';
import { type Gateway, rawExchange, startNginx } from './gateway.js';
import { closedWith, nextMessage, openWs, startWsBackend, type WsBackend } from './nginx-ws-backend.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const HANDSHAKE = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n`;
const acceptOf = (key: string) =>
  createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
/** What the raw backend sends after its 101, where a tunnel would carry it. */
const AFTER = '<pre>TypeError at Orders.insert (/srv/app/orders.js:27:3)</pre>';

/** The raw backend's 101 for each path, whatever the request asked. */
const SWITCH: Record<string, (head: string) => string> = {
  '/api/switch': () => 'upgrade: websocket\r\nconnection: upgrade\r\n',
  '/api/wrong-accept': () => `upgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: ${acceptOf('x')}\r\n`,
  '/api/no-upgrade': (head) => `connection: upgrade\r\nsec-websocket-accept: ${acceptOf(keyOf(head))}\r\n`,
  '/api/granted': (head) =>
    `upgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: ${acceptOf(keyOf(head))}\r\n`,
};
const keyOf = (head: string) => /sec-websocket-key: *([^\r]*)/i.exec(head)?.[1] ?? '';

let raw: RawBackend;
let ws: WsBackend;
let gateway: Gateway;
let wsGateway: Gateway;

beforeAll(async () => {
  raw = await startRawBackend((head: string, socket: Socket) => {
    const path = head.split(' ')[1] ?? '';
    socket.end(`HTTP/1.1 101 Switching Protocols\r\n${(SWITCH[path] ?? (() => ''))(head)}\r\n${AFTER}`);
  });
  ws = await startWsBackend();
  gateway = await startNginx(await freePort(), { upstreams: [`127.0.0.1:${raw.port}`], routes: ['/api/'] });
  wsGateway = await startNginx(await freePort(), {
    upstreams: [`127.0.0.1:${ws.port}`],
    routes: ['/api/'],
    tunnelTimeout: 1,
    readTimeout: 1,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await wsGateway?.stop();
  await raw?.stop();
  await ws?.stop();
});

describe('nginx: a 101 that does not grant the client its WebSocket handshake is refused', () => {
  it.each([
    ['to a request without an upgrade', '/api/switch', ''],
    [
      'to an upgrade that is not a WebSocket handshake (no key)',
      '/api/switch',
      'Upgrade: websocket\r\nConnection: Upgrade\r\n',
    ],
    ['with the Sec-WebSocket-Accept of another key', '/api/wrong-accept', HANDSHAKE],
    ['without Upgrade: websocket', '/api/no-upgrade', HANDSHAKE],
  ])('%s: nothing relayed, the connection closed; logged', async (_name, path, lines) => {
    const id = randomUUID();
    const exchange = await rawExchange(
      gateway.port,
      `GET ${path} HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${id}\r\n${lines}\r\n`,
    );
    expect(exchange.raw).toBe('');
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id });
  });

  it('the same raw backend granting the handshake (its accept, Upgrade: websocket): the 101 and its bytes pass', async () => {
    const id = randomUUID();
    const exchange = await rawExchange(
      gateway.port,
      `GET /api/granted HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${id}\r\n${HANDSHAKE}\r\n`,
    );
    expect(exchange.status).toBe(101);
    expect(exchange.headers).toContainEqual(['x-request-id', id]);
    expect(exchange.headers).toContainEqual(['sec-websocket-accept', acceptOf(KEY)]);
    expect(exchange.body).toBe(AFTER);
  });
});

describe('nginx: tunnel bounds (tunnelTimeout 1 s)', () => {
  it('an idle tunnel is closed after tunnelTimeout; one with traffic outlives it', async () => {
    const idle = await openWs(`ws://127.0.0.1:${wsGateway.port}/api/ws`, { headers: { 'X-Probe': 'idle' } });
    const busy = await openWs(`ws://127.0.0.1:${wsGateway.port}/api/ws`, { headers: { 'X-Probe': 'busy' } });
    if (!('socket' in idle) || !('socket' in busy)) throw new Error('refused');
    const idleClosed = closedWith(idle.socket);
    let busyOpen = true;
    busy.socket.once('close', () => {
      busyOpen = false;
    });
    const started = Date.now();
    // The busy client sends every 200 ms until the idle one is closed (about 1 s).
    let closedAt = 0;
    idleClosed.then(() => {
      closedAt = Date.now();
    });
    while (closedAt === 0 && Date.now() - started < 5000) {
      busy.socket.send('ping');
      await nextMessage(busy.socket);
      await until(() => closedAt !== 0, 200);
    }
    expect((await idleClosed).code).toBe(1006);
    expect(closedAt - started).toBeGreaterThanOrEqual(900);
    expect(busyOpen).toBe(true);
    busy.socket.send('still');
    expect(String((await nextMessage(busy.socket)).data)).toBe('still');
    busy.socket.close();
  });

  it("a backend silent after the handshake: the gateway's 504 page with the id once tunnelTimeout passed", async () => {
    const handshake = await openWs(`ws://127.0.0.1:${wsGateway.port}/api/silent`);
    if ('socket' in handshake) throw new Error('the upgrade was granted');
    expect(handshake.status).toBe(504);
    const body = JSON.parse(handshake.body);
    expect(body).toMatchObject({ status: 504, code: 'TIMEOUT', request_id: handshake.headers['x-request-id'] });
    expect(await logged(wsGateway.dir, body.request_id)).toMatchObject({ status: 504 });
  });

  it('a graceful stop (SIGQUIT) with a busy tunnel open ends within its bound; the tunnel is closed, logged', async () => {
    const stopping = await startNginx(await freePort(), {
      upstreams: [`127.0.0.1:${ws.port}`],
      routes: ['/api/'],
      readTimeout: 1,
    });
    const open = await openWs(`ws://127.0.0.1:${stopping.port}/api/ws`, { headers: { 'X-Probe': 'quit' } });
    if (!('socket' in open)) throw new Error('refused');
    const closed = closedWith(open.socket);
    const timer = setInterval(() => open.socket.readyState === open.socket.OPEN && open.socket.send('busy'), 100);
    try {
      await stopping.stop();
      expect((await closed).code).toBe(1006);
    } finally {
      clearInterval(timer);
    }
    const id = String(open.headers['x-request-id']);
    expect(await logged(stopping.dir, id)).toMatchObject({ request_id: id, status: 101 });
  });

  it('a fast stop (SIGTERM) with a tunnel open ends at once; the tunnel is closed', async () => {
    const stopping = await startNginx(await freePort(), { upstreams: [`127.0.0.1:${ws.port}`], routes: ['/api/'] });
    const open = await openWs(`ws://127.0.0.1:${stopping.port}/api/ws`, { headers: { 'X-Probe': 'term' } });
    if (!('socket' in open)) throw new Error('refused');
    const closed = closedWith(open.socket);
    const pid = Number(readFileSync(join(stopping.dir, 'nginx.pid'), 'utf8'));
    process.kill(pid, 'SIGTERM');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until(() => !alive(), 5000);
    expect(alive()).toBe(false);
    expect((await closed).code).toBe(1006);
    await stopping.stop();
  });
});
