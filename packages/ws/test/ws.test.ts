import { isUuid, TAXONOMY } from '@faultline/core';
import { rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeFrameFor, isValidCloseCode, truncateUtf8 } from '../src/index.js';
import { startWsServer } from './fixtures.js';

type Started = Awaited<ReturnType<typeof startWsServer>>;
let server: Started;
beforeAll(async () => {
  server = await startWsServer();
});
afterAll(async () => {
  await server.stop();
});

function open(path = '/', headers: Record<string, string> = { authorization: 'Bearer good' }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function next(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(String(data))));
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

describe('message handlers', () => {
  it('answers a recoverable error with an error frame and keeps the socket open', async () => {
    const ws = await open();
    ws.send('validation');
    const frame = JSON.parse(await next(ws));
    expect(frame).toEqual({
      error: {
        status: 400,
        code: 'VALIDATION_FAILED',
        message: TAXONOMY.validation.message,
        request_id: expect.any(String),
        errors: [{ pointer: '/qty', detail: 'Is below the minimum.' }],
      },
    });
    expect(isUuid(frame.error.request_id)).toBe(true);
    ws.send('conflict');
    expect(JSON.parse(await next(ws)).error.code).toBe('CONFLICT');
    ws.send('hello');
    expect(await next(ws)).toBe('echo:hello');
    ws.close();
  });

  it.each([
    ['refused', 1013, 'UNAVAILABLE'],
    ['async', 1011, 'INTERNAL'],
    ['string', 1011, 'INTERNAL'],
  ])('closes on a fatal %s error with %i and "<CODE> <id>"', async (message, code, publicCode) => {
    const ws = await open();
    const done = closed(ws);
    ws.send(message);
    const result = await done;
    expect(result.code).toBe(code);
    const [reasonCode, id] = result.reason.split(' ');
    expect(reasonCode).toBe(publicCode);
    expect(isUuid(id)).toBe(true);
    expect(result.reason).not.toContain('hunter2');
  });

  it('closes when the connection handler throws, and the process lives on', async () => {
    const ws = await open('/boom');
    const result = await closed(ws);
    expect(result.code).toBe(1011);
    expect(result.reason.startsWith('INTERNAL ')).toBe(true);
    const again = await open();
    again.send('hi');
    expect(await next(again)).toBe('echo:hi');
    again.close();
  });
});

describe('protocol errors', () => {
  it('logs an invalid UTF-8 frame (1007) with the connection id instead of crashing', async () => {
    const connectionId = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
    const ws = await open('/', { authorization: 'Bearer good', 'x-request-id': connectionId });
    const done = closed(ws);
    ws.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    expect((await done).code).toBe(1007);
    await server.reporter.flush();
    const record = server.records.find(
      (r) => JSON.stringify(r).includes(connectionId) && r.reason === 'ws:WS_ERR_INVALID_UTF8',
    );
    expect(record).toMatchObject({ protocol: 'ws', attributes: { connection_id: connectionId } });
  });

  it('closes an oversized message with 1009', async () => {
    const ws = await open();
    const done = closed(ws);
    ws.send('x'.repeat(5000));
    expect((await done).code).toBe(1009);
  });
});

describe('upgrade rejection', () => {
  function reject(headers: Record<string, string>) {
    return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, fail) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { headers });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      ws.on('open', () => fail(new Error('upgrade accepted')));
      ws.on('error', () => undefined);
    });
  }

  it("a refused upgrade's thrown challenge reaches the client as its scheme and error code only", async () => {
    const res = await reject({ authorization: 'Bearer vault' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="ws", error="invalid_token"');
    expect(JSON.stringify(res.headers)).not.toMatch(/vault|hunter2/);
  });

  it.each([
    [
      'an upgrade with oversized headers',
      `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
    ['an obs-folded header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded hunter2\r\n\r\n', 400],
    ['a request line without a path', 'GET ?id=hunter2 HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ])('answers malformed HTTP (%s) as problem JSON with an id, through clientError', async (_label, request, status) => {
    const answer = await rawHttpExchange(server.port, request);
    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(answer).toContain('content-type: application/problem+json; charset=utf-8');
    expect(answer).toContain('x-content-type-options: nosniff');
    const id = /x-request-id: ([0-9a-f-]{36})/.exec(answer)?.[1];
    expect(isUuid(id)).toBe(true);
    expect(answer).toContain(`"request_id":"${id}"`);
    expect(answer).not.toMatch(/hunter2|aaaaaaaa/);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.records.some((record) => JSON.stringify(record).includes(id ?? 'none'))).toBe(true);
  });

  it('answers a refused upgrade as problem JSON with the Fastify adapter headers', async () => {
    const res = await reject({ authorization: 'Bearer nope' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="ws"');
    expect(isUuid(res.headers['x-request-id'])).toBe(true);
    expect(JSON.parse(res.body)).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      request_id: res.headers['x-request-id'],
    });
  });

  it('classifies a thrown jsonwebtoken error and never reflects its text', async () => {
    const res = await reject({ authorization: 'Bearer expired' });
    expect(res.status).toBe(401);
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('html');
  });
});

describe('close frames', () => {
  it('never hands ws.close an invalid code or an oversized reason', () => {
    expect(isValidCloseCode(1005)).toBe(false);
    expect(isValidCloseCode(1015)).toBe(false);
    expect(isValidCloseCode(4409)).toBe(true);
    const cut = truncateUtf8(`${'é'.repeat(100)}`);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut).toBe('é'.repeat(61));
    expect(truncateUtf8('😀'.repeat(40))).toBe('😀'.repeat(30));
    expect(closeFrameFor({ wsCloseCode: 1006, code: 'X', id: 'y' } as never)).toEqual({ code: 1011, reason: 'X y' });
  });
});
