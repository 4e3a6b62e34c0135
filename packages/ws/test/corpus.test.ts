/**
 * The adversarial corpus through a real ws server and client: every case thrown by a message
 * handler (sync and async), passed to `adapter.fail` outside any handler, thrown by the
 * connection handler (sync and async) and by the upgrade check, plus hostile handshakes ws would answer as
 * text/html. Recoverable faults come back as an error frame on an open socket, fatal ones as a
 * close frame `<CODE> <id>`; refusals are problem JSON. No forbidden substring in frames, close
 * reasons, status lines, headers or bodies; every id is a UUID v4 with a log record.
 */
import { createServer, type Server } from 'node:http';
import { type Category, createReporter, type Fault, TAXONOMY } from '@faultline/core';
import { CORPUS, type CorpusCase, leaksIn, memoryLog, rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const UUID_V4 = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;
const log = memoryLog();
const ids = new Set<string>();
let server: Server;
let port = 0;
let isFatal: (fault: Fault) => boolean = () => false;

beforeAll(async () => {
  const adapter = createWsAdapter({
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  isFatal = (fault) =>
    fault.serverFault || ['unauthenticated', 'forbidden', 'payload_too_large', 'cancelled'].includes(fault.category);
  const wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    adapter.connection((socket, context) => {
      // `?connection=<index>&style=sync|async`: the connection handler itself fails.
      const query = new URL(context.request.url ?? '/', 'http://x').searchParams;
      const failing = query.get('connection');
      if (failing !== null) {
        const make = () => (CORPUS[Number(failing)] as CorpusCase).make();
        if (query.get('style') === 'sync') throw make();
        return new Promise((_resolve, reject) => setImmediate(() => reject(make())));
      }
      socket.on(
        'message',
        adapter.message(socket, (data) => {
          const { index, style } = JSON.parse(String(data)) as { index: number; style: string; input: unknown };
          const make = () => (CORPUS[index] as CorpusCase).make();
          if (style === 'sync') throw make();
          // The application failing the socket itself, outside any handler (a job it started).
          if (style === 'fail') return void setImmediate(() => adapter.fail(socket, make(), 'app.job'));
          return new Promise((_resolve, reject) => setImmediate(() => reject(make())));
        }),
      );
      return undefined;
    }),
  );
  server = createServer((_req, res) => res.end('ok'));
  server.on(
    'upgrade',
    adapter.upgrade(wss, (request) => {
      const index = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('fail') ?? '-1');
      if (index >= 0) throw (CORPUS[index] as CorpusCase).make();
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Outcome {
  readonly frame?: string;
  readonly close?: { code: number; reason: string };
}

/**
 * Sends one message (if any) on a fresh socket to `path`; resolves with the first error frame or
 * the close.
 */
function exchange(message: string | undefined, path = '/'): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    const timer = setTimeout(() => reject(new Error('no answer (hang)')), 5000);
    socket.on('open', () => {
      if (message !== undefined) socket.send(message);
    });
    socket.on('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve({ frame: String(data) });
    });
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ close: { code, reason: String(reason) } });
    });
    socket.on('error', reject);
  });
}

/** A raw HTTP/1.1 upgrade request, answered in full (status line, headers, body). */
function rawUpgrade(head: string): Promise<string> {
  return rawHttpExchange(port, head);
}

function checkMessage(outcome: Outcome, testCase: CorpusCase, withInput = true): void {
  // The socket is open: a cancellation is the server's own (`liveHttpCategory`). Without a
  // message, a schema error cannot concern the client's input: it is the server's own.
  const live = (testCase.liveHttpCategory ?? testCase.category) as Category;
  const category = withInput || testCase.input === undefined ? live : 'internal';
  const spec = TAXONOMY[category];
  const visible = JSON.stringify(outcome);
  expect(leaksIn(visible, testCase)).toEqual([]);
  const fatal = isFatal({ category, serverFault: spec.serverFault } as Fault);
  if (fatal) {
    expect(outcome.close?.code).toBe(spec.wsClose);
    const [code, id] = (outcome.close?.reason ?? '').split(' ');
    expect(code).toBe(spec.code);
    expect(id).toMatch(UUID_V4);
    ids.add(id as string);
  } else {
    const frame = JSON.parse(outcome.frame ?? '{}') as {
      error: { status: number; code: string; message: string; request_id: string };
    };
    expect(frame.error.status).toBe(spec.http);
    expect(frame.error.code).toBe(spec.code);
    expect(frame.error.message).toBe(spec.message);
    expect(frame.error.request_id).toMatch(UUID_V4);
    ids.add(frame.error.request_id);
  }
}

describe('corpus over WebSocket', () => {
  it.each(CORPUS.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
    const testCase = CORPUS[index] as CorpusCase;
    for (const style of ['sync', 'async']) {
      checkMessage(await exchange(undefined, `/?connection=${index}&style=${style}`), testCase, false);
    }
    for (const style of ['sync', 'async', 'fail']) {
      const message = JSON.stringify({
        index,
        style,
        ...(testCase.input === undefined ? {} : (testCase.input as object)),
      });
      // `adapter.fail` has no message to read: a schema error there is the server's own.
      checkMessage(await exchange(message), testCase, style !== 'fail');
    }
    const answer = await rawUpgrade(
      `GET /?fail=${index} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    // The upgrade request has no body: a schema error there cannot concern the client's input.
    // Its client is still connected: a cancellation is the server's own.
    const live = (testCase.liveHttpCategory ?? testCase.category) as Category;
    const spec = TAXONOMY[testCase.input === undefined ? live : 'internal'];
    expect(answer.startsWith(`HTTP/1.1 ${spec.http} `)).toBe(true);
    expect(answer).toMatch(/content-type: application\/problem\+json/);
    expect(leaksIn(answer, testCase)).toEqual([]);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { code: string; request_id: string };
    expect(body.code).toBe(spec.code);
    ids.add(body.request_id);
  });
});

describe('hostile handshakes', () => {
  const base = 'Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
  it.each([
    [
      'hostile subprotocol',
      `GET / HTTP/1.1\r\n${base}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: <script>alert(1)</script>, x y\r\n\r\n`,
      400,
      undefined,
    ],
    [
      'bad key',
      `GET / HTTP/1.1\r\n${base}Sec-WebSocket-Key: <img src=x>\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      400,
      undefined,
    ],
    [
      'bad version',
      `GET / HTTP/1.1\r\n${base}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n`,
      400,
      // RFC 6455 §4.4: the versions the server understands.
      'sec-websocket-version: 13, 8',
    ],
    [
      'wrong method',
      `POST / HTTP/1.1\r\n${base}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      405,
      // RFC 9110 §15.5.6: a 405 names the methods allowed.
      'allow: GET',
    ],
  ])('%s is refused as problem JSON, never text/html', async (_label, request, status, header) => {
    const answer = await rawUpgrade(request);
    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    const head = answer.slice(0, answer.indexOf('\r\n\r\n')).split('\r\n');
    const extras = head.filter((line) => /^(allow|sec-websocket-version):/i.test(line));
    expect(extras).toEqual(header === undefined ? [] : [header]);
    expect(answer.toLowerCase()).not.toContain('text/html');
    expect(answer).toContain('content-type: application/problem+json');
    expect(answer).toContain('x-content-type-options: nosniff');
    expect(answer).toContain('cache-control: no-store');
    expect(answer).toMatch(new RegExp(`x-request-id: ${UUID_V4.source}`));
    expect(answer).not.toMatch(/script|img src|Invalid|Sec-WebSocket/);
  });
});

describe('after the corpus', () => {
  it('logged every id and still accepts connections', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const logged = new Set(log.records.map((r) => r.request_id));
    expect([...ids].filter((id) => !logged.has(id))).toEqual([]);
    // Per case: two connection styles, three message styles, the upgrade.
    expect(ids.size).toBe(CORPUS.length * 6);
  });
});
