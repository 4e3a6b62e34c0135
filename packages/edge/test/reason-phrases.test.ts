/**
 * The reason phrase of every status a backend can send (200-599), written by a raw HTTP/1.1
 * backend as `<status> Leaky by orders-db-01.internal v1.2.3`: HAProxy relays every answer with
 * the standard phrase (Node's, as Faultline's adapters write it, or its class's for a status
 * without one: `299 Success`) on an answer that passes (2xx, 3xx, a JSON 4xx); a foreign 5xx is
 * replaced by a page, with HAProxy's own phrase. nginx 1.22 writes the backend's line on every answer it relays (a documented
 * limit, README "Reason phrases (nginx)"): pinned here so a change of nginx or njs shows.
 */
import { STATUS_CODES } from 'node:http';
import { connect, type Socket } from 'node:net';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, rawExchange, startHaproxy, startNginx } from './gateway.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

const LEAK = 'Leaky by orders-db-01.internal v1.2.3';
const BODYLESS = new Set([204, 205, 304]);
const CLASSES: Record<number, string> = { 2: 'Success', 3: 'Redirection', 4: 'Client Error', 5: 'Server Error' };

/** The phrase HAProxy must write: Node's, else the status's class's. */
const standard = (status: number) => STATUS_CODES[status] ?? CLASSES[Math.floor(status / 100)];

let backend: RawBackend | undefined;
const gateways = {} as Record<'nginx' | 'haproxy', Gateway>;

beforeAll(async () => {
  // GET /api/s/<status>: that status with the leaky phrase, a JSON body not in the application's
  // type (a foreign JSON 4xx passes; a foreign 5xx is replaced).
  backend = await startRawBackend((head: string, socket: Socket) => {
    if (/^upgrade: websocket/im.test(head)) {
      // An upgrade granted: the status line, then the tunnel echoes what the client sends.
      socket.write(
        `HTTP/1.1 101 ${LEAK}\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n`,
      );
      socket.removeAllListeners('data');
      socket.on('data', (chunk) => socket.end(`echo:${chunk.toString('latin1')}`));
      return;
    }
    const status = Number((head.split(' ')[1] ?? '').split('/')[3]);
    const body = BODYLESS.has(status) ? '' : '{"error":"x"}';
    const length = BODYLESS.has(status) ? '' : `content-length: ${body.length}\r\n`;
    socket.end(`HTTP/1.1 ${status} ${LEAK}\r\ncontent-type: application/json\r\n${length}\r\n${body}`);
  });
  const options = { upstreams: [`127.0.0.1:${backend.port}`], routes: ['/api/'] };
  gateways.haproxy = await startHaproxy(await freePort(), options);
  gateways.nginx = await startNginx(await freePort(), options);
});

afterAll(async () => {
  await gateways.haproxy?.stop();
  await gateways.nginx?.stop();
  await backend?.stop();
});

/** The status line the gateway answers a backend `status` with. */
async function statusLine(name: 'nginx' | 'haproxy', status: number): Promise<string> {
  const exchange = await rawExchange(
    gateways[name].port,
    `GET /api/s/${status} HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n`,
  );
  return exchange.raw.split('\r\n')[0] ?? '';
}

/** The statuses from `from` to `to`. */
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('HAProxy: the standard reason phrase on every answer', () => {
  it.each([
    [201, 'HTTP/1.1 201 Created'],
    [204, 'HTTP/1.1 204 No Content'],
    [302, 'HTTP/1.1 302 Found'],
    [304, 'HTTP/1.1 304 Not Modified'],
    [299, 'HTTP/1.1 299 Success'],
    [399, 'HTTP/1.1 399 Redirection'],
    [418, "HTTP/1.1 418 I'm a Teapot"],
    [499, 'HTTP/1.1 499 Client Error'],
    [599, 'HTTP/1.1 500 Internal Server Error'],
  ])('a backend %i with its own phrase: %s', async (status, line) => {
    expect(await statusLine('haproxy', status)).toBe(line);
  });

  it.each([
    ['2xx', range(200, 299)],
    ['3xx', range(300, 399)],
    ['4xx', range(400, 499)],
  ])('every %s passes with the standard phrase of its status, never the backend phrase', async (_class, statuses) => {
    const wrong: string[] = [];
    for (const status of statuses) {
      const line = await statusLine('haproxy', status);
      if (line !== `HTTP/1.1 ${status} ${standard(status)}`) wrong.push(`${status}: ${line}`);
    }
    expect(wrong).toEqual([]);
  });

  it("every 5xx is replaced by a gateway page, whose status line is HAProxy's own", async () => {
    // HAProxy writes its own phrase on the pages it answers (`return`), not Node's for 502 and 504.
    const pages: Record<number, string> = {
      501: 'HTTP/1.1 501 Not Implemented',
      502: 'HTTP/1.1 502 Bad Gateway or Proxy Error',
      503: 'HTTP/1.1 503 Service Unavailable',
      504: 'HTTP/1.1 504 Gateway Time-out',
    };
    const wrong: string[] = [];
    for (const status of range(500, 599)) {
      const line = await statusLine('haproxy', status);
      if (line !== (pages[status] ?? 'HTTP/1.1 500 Internal Server Error')) wrong.push(`${status}: ${line}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('HAProxy: an upgrade the backend grants', () => {
  it('101 Switching Protocols, and the tunnel still carries bytes both ways', async () => {
    const text = await new Promise<string>((resolve) => {
      const socket = connect(gateways.haproxy.port, '127.0.0.1', () =>
        socket.write(
          'GET /api/ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        ),
      );
      let got = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        if (got === '' && chunk.includes('\r\n\r\n')) socket.write('ping');
        got += chunk;
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(got));
      socket.setTimeout(5000, () => socket.destroy());
    });
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(text).toMatch(/\r\n\r\necho:ping$/);
    expect(text).not.toContain('orders-db-01');
  });
});

describe('nginx: the reason phrase (a documented limit on HTTP/1.1)', () => {
  it("relays the backend's own phrase on every status it passes or its filter replaces (200-504); 505-599 get its own 500 line", async () => {
    const kept: number[] = [];
    const own: number[] = [];
    for (const status of range(200, 599)) {
      const line = await statusLine('nginx', status);
      if (line === `HTTP/1.1 ${status} ${LEAK}`) kept.push(status);
      else if (line === 'HTTP/1.1 500 Internal Server Error') own.push(status);
    }
    expect(kept).toEqual(range(200, 504));
    expect(own).toEqual(range(505, 599));
  });
});
