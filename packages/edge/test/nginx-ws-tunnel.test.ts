/**
 * WebSocket upgrades through the generated nginx, end to end: a real `ws` service behind
 * `@faultline/ws` and real `ws` clients. The tunnel carries frames both ways; the gateway's id
 * goes upstream, comes back on the 101 and is the one the adapter uses in its error frames and
 * closes; the 101's headers are filtered; the gateway's failures and the backend's refusals of
 * an upgrade are answered as for any request; the access log has one line per tunnel.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeDrainCertificates } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, LEAKS, logged, recorded, UUID_V4 } from './answers.js';
import { type Gateway, parseExchange, startNginx } from './gateway.js';
import { closedWith, type Handshake, nextMessage, openWs, startWsBackend, type WsBackend } from './nginx-ws-backend.js';

let backend: WsBackend;
let gateway: Gateway;

beforeAll(async () => {
  backend = await startWsBackend();
  gateway = await startNginx(await freePort(), { upstreams: [`127.0.0.1:${backend.port}`], routes: ['/api/'] });
});

afterAll(async () => {
  await gateway?.stop();
  await backend?.stop();
});

/** Opens `path` through the gateway with `X-Probe: probe` (and `headers`); fails unless it opened. */
async function tunnel(path: string, probe: string, headers: Record<string, string> = {}) {
  const handshake = await openWs(`ws://127.0.0.1:${gateway.port}${path}`, {
    headers: { 'X-Probe': probe, ...headers },
  });
  if (!('socket' in handshake)) throw new Error(`refused ${handshake.status}: ${handshake.body}`);
  return handshake;
}

/** The refusal of `path`, as an exchange (status, headers, body) the shared assertions read. */
async function refused(path: string, options: { port?: number } = {}) {
  const handshake: Handshake = await openWs(`ws://127.0.0.1:${options.port ?? gateway.port}${path}`);
  if ('socket' in handshake) throw new Error('the upgrade was granted');
  const headers = Object.entries(handshake.headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value ?? '']).map((v) => `${name}: ${v}`),
  );
  return parseExchange(`HTTP/1.1 ${handshake.status} X\r\n${headers.join('\r\n')}\r\n\r\n${handshake.body}`);
}

describe('nginx: a WebSocket upgrade on a proxied route', () => {
  it('tunnels text, binary and a 4 MiB frame both ways; the 101 carries the id the adapter uses, no leaky header', async () => {
    const { socket, headers } = await tunnel('/api/ws', 'echo');
    const id = String(headers['x-request-id']);
    expect(id).toMatch(UUID_V4);
    expect(backend.ids.get('echo')).toBe(id);
    for (const name of ['server', 'x-powered-by', 'via']) expect(headers[name]).toBeUndefined();
    expect(JSON.stringify(headers)).not.toMatch(/express|node\.js|internal/i);
    socket.send('hello');
    expect(await nextMessage(socket)).toEqual({ data: Buffer.from('hello'), isBinary: false });
    const binary = randomBytes(1024);
    socket.send(binary);
    expect(await nextMessage(socket)).toEqual({ data: binary, isBinary: true });
    const large = randomBytes(4 << 20);
    socket.send(large);
    const echoed = await nextMessage(socket);
    expect(echoed.isBinary).toBe(true);
    expect(echoed.data.equals(large)).toBe(true);
    const closed = closedWith(socket);
    socket.close(1000, 'done');
    expect(await closed).toEqual({ code: 1000, reason: 'done' });
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 101, uri: '/api/ws' });
  });

  it('a first message from the server arrives after the 101, not before nor lost', async () => {
    const opened = openWs(`ws://127.0.0.1:${gateway.port}/api/greet`, { headers: { 'X-Probe': 'greet' } });
    // The message may come with the 101: listen from the start (ws emits it right after 'open').
    const handshake = await opened;
    if (!('socket' in handshake)) throw new Error(`refused ${handshake.status}`);
    try {
      expect(String((await handshake.first).data)).toBe('welcome');
    } finally {
      handshake.socket.close();
    }
  });

  it("keeps the client's own v4 id: the 101 and the adapter carry it, its error frame's fault is linked to it", async () => {
    const mine = randomUUID();
    const { socket, headers } = await tunnel('/api/ws', 'own-id', { 'X-Request-ID': mine });
    try {
      expect(headers['x-request-id']).toBe(mine);
      expect(backend.ids.get('own-id')).toBe(mine);
      socket.send('validation');
      const frame = JSON.parse(String((await nextMessage(socket)).data));
      expect(frame.error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', request_id: expect.any(String) });
      const fault = await recorded(backend.records, frame.error.request_id);
      expect(fault).toMatchObject({ attributes: { connection_id: mine } });
      socket.send('still open');
      expect(String((await nextMessage(socket)).data)).toBe('still open');
    } finally {
      socket.close();
    }
  });

  it("the adapter's fatal close reaches the client as 1011 INTERNAL <fault id>, linked to the gateway's id", async () => {
    const { socket, headers } = await tunnel('/api/ws', 'fatal');
    const closed = closedWith(socket);
    socket.send('fatal');
    const { code, reason } = await closed;
    expect(code).toBe(1011);
    const [publicCode, faultId] = reason.split(' ');
    expect(publicCode).toBe('INTERNAL');
    expect(faultId).toMatch(UUID_V4);
    expect(reason).not.toMatch(LEAKS);
    const fault = await recorded(backend.records, String(faultId));
    expect(fault).toMatchObject({ attributes: { connection_id: headers['x-request-id'] } });
  });

  it('a client leaving mid-tunnel: the backend sees the close, nginx logs the tunnel once with the id', async () => {
    const { socket, headers } = await tunnel('/api/ws', 'leaves');
    const id = String(headers['x-request-id']);
    socket.send('x');
    await nextMessage(socket);
    socket.terminate(); // no close frame: the TCP connection just ends
    expect(await backend.serverClosed('leaves')).toBe(1006);
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 101 });
    const lines = readFileSync(join(gateway.dir, 'access.log'), 'utf8').split('\n');
    expect(lines.filter((line) => line.includes(id))).toHaveLength(1);
  });
});

describe('nginx: a WebSocket upgrade on the TLS 1.3 listener (HTTP/2 offered over ALPN)', () => {
  it('a wss client (HTTP/1.1) gets its tunnel and the id', async () => {
    const certs = makeDrainCertificates();
    const tls = await startNginx(await freePort(), {
      upstreams: [`127.0.0.1:${backend.port}`],
      routes: ['/api/'],
      tls: { certificate: join(certs.dir, 'server.crt'), key: join(certs.dir, 'server.key') },
    });
    try {
      const handshake = await openWs(`wss://127.0.0.1:${tls.port}/api/ws`, {
        ca: readFileSync(join(certs.dir, 'ca.crt')),
        headers: { 'X-Probe': 'wss' },
      });
      if (!('socket' in handshake)) throw new Error(`refused ${handshake.status}`);
      expect(backend.ids.get('wss')).toBe(handshake.headers['x-request-id']);
      handshake.socket.send('over tls');
      expect(String((await nextMessage(handshake.socket)).data)).toBe('over tls');
      const closed = closedWith(handshake.socket);
      handshake.socket.close();
      await closed;
    } finally {
      await tls.stop();
    }
  });
});

describe("nginx: an upgrade the gateway or the backend refuses, answered as any request's", () => {
  it("the adapter's refusal (401 problem JSON) passes with the gateway's id", async () => {
    const exchange = await refused('/api/refuse');
    const id = expectFaultlineAnswer(exchange, 401, 'UNAUTHENTICATED');
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 401 });
  });

  it("a backend refusing with an HTML 500 stack page: the gateway's 500 page", async () => {
    const exchange = await refused('/api/html-500');
    expect(exchange.raw).not.toMatch(LEAKS);
    const id = expectFaultlineAnswer(exchange, 500, 'INTERNAL');
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 500 });
  });

  it("the backend down: the gateway's 502 page with the id", async () => {
    const down = await startNginx(await freePort(), { upstreams: [`127.0.0.1:${await freePort()}`] });
    try {
      const exchange = await refused('/ws', { port: down.port });
      expect(exchange.raw).not.toMatch(LEAKS);
      const id = expectFaultlineAnswer(exchange, 502, 'BAD_GATEWAY');
      expect(await logged(down.dir, id)).toMatchObject({ request_id: id, status: 502 });
    } finally {
      await down.stop();
    }
  });
});
