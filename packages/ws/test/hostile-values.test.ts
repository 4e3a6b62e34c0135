/**
 * Hostile thrown values the shared corpus does not hold (primitive conversions that throw, lone
 * surrogates, self-referencing causes and aggregates, a Proxy prototype, driver errors whose
 * fields name tables and rows), through every failure style: a message handler (sync, async,
 * `fail` from a job), the connection handler, the upgrade check, and an 'error' the application
 * emits on the socket. What the client gets is checked byte by byte: error frames are JSON with
 * the taxonomy's code and message and a v4 id; a close reason is `<CODE> <id>`, valid UTF-8, at
 * most 123 bytes; a refusal is problem JSON; nothing names the secret, a table or a path.
 */
import { isUtf8 } from 'node:buffer';
import { createServer, type Server } from 'node:http';
import { createReporter, TAXONOMY } from '@faultline/core';
import { memoryLog, rawHttpExchange, recordFor } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const SECRET = 'hunter2-Zq9';
const FORBIDDEN = /hunter2|users_private|orders_private|internal_schema|prisma|SELECT|\/srv\/|\bat \//i;
/** True for a control character or a JSON `\u` escape (a lone surrogate would be one): never in a frame or a body. */
const hasControl = (text: string) => text.includes('\\u') || [...text].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20);
const V4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const thrower = () => {
  throw new Error(`conversion ${SECRET}`);
};

/** The values, each with the category every style answers. */
const VALUES: Record<string, [() => unknown, string]> = {
  'Symbol.toPrimitive throws': [() => ({ [Symbol.toPrimitive]: thrower, message: SECRET }), 'internal'],
  'valueOf and toString throw': [() => ({ valueOf: thrower, toString: thrower, stack: SECRET }), 'internal'],
  'lone surrogates, CR/LF and NUL': [() => new Error(`\ud800${SECRET}\r\n\0\udfff at /srv/app.js:1`), 'internal'],
  'a cause that is itself': [
    () => {
      const error = new Error(SECRET) as Error & { cause?: unknown };
      error.cause = error;
      return error;
    },
    'internal',
  ],
  'an AggregateError holding itself': [
    () => {
      const error = new AggregateError([], SECRET);
      (error.errors as unknown[]).push(error);
      return error;
    },
    'internal',
  ],
  'an AggregateError whose errors getter throws': [
    () => Object.defineProperty(new AggregateError([], SECRET), 'errors', { get: thrower }),
    'internal',
  ],
  'a Proxy function with throwing traps': [() => new Proxy(() => SECRET, { get: thrower, apply: thrower }), 'internal'],
  'an Error with a throwing Proxy prototype': [
    () =>
      Object.setPrototypeOf(new Error(SECRET), new Proxy(Error.prototype, { get: thrower, getPrototypeOf: thrower })),
    'internal',
  ],
  'pg 23505 with detail, table, schema, hint': [
    () =>
      Object.assign(new Error(`duplicate key value violates "orders_private_pkey" ${SECRET}`), {
        code: '23505',
        severity: 'ERROR',
        detail: `Key (email)=(${SECRET}) already exists.`,
        table: 'orders_private',
        schema: 'internal_schema',
        constraint: 'orders_private_pkey',
        hint: `SELECT * FROM users_private`,
        where: 'PL/pgSQL function',
      }),
    'conflict',
  ],
  'Prisma P2025 with meta': [
    () =>
      Object.assign(new Error(`Invalid \`prisma.user.delete()\` in /srv/app/users.ts:12 ${SECRET}`), {
        name: 'PrismaClientKnownRequestError',
        code: 'P2025',
        clientVersion: '5.22.0',
        meta: { cause: `Record in users_private not found ${SECRET}`, modelName: 'User' },
      }),
    'not_found',
  ],
  'MongoServerError 121 with errInfo': [
    () =>
      Object.assign(new Error(`Document failed validation ${SECRET}`), {
        name: 'MongoServerError',
        code: 121,
        errInfo: { failingDocumentId: SECRET, details: { schemaRulesNotSatisfied: ['users_private'] } },
      }),
    'internal',
  ],
};
const NAMES = Object.keys(VALUES);
const make = (name: string) => (VALUES[name] as [() => unknown, string])[0]();

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
let server: Server;
let wss: WebSocketServer;
let port = 0;

beforeAll(async () => {
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    fl.connection((socket, { request }) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const failing = url.searchParams.get('connection');
      if (failing !== null) throw make(failing);
      socket.on(
        'message',
        fl.message(socket, (data) => {
          const { name, style } = JSON.parse(String(data)) as { name: string; style: string };
          if (style === 'sync') throw make(name);
          if (style === 'fail') return void setImmediate(() => fl.fail(socket, make(name), 'app.job'));
          if (style === 'emit') return void socket.emit('error', make(name));
          if (style === 'echo') return void socket.send('alive');
          return Promise.reject(make(name));
        }),
      );
    }),
  );
  server = createServer();
  server.on(
    'upgrade',
    fl.upgrade(wss, (request) => {
      const failing = new URL(request.url ?? '/', 'http://x').searchParams.get('upgrade');
      if (failing !== null) throw make(failing);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The first thing the client gets on `path` after sending `message`: a frame or the close (its raw reason). */
function exchange(path: string, message?: object): Promise<{ frame?: string; code?: number; reason?: Buffer }> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    client.once('open', () => message !== undefined && client.send(JSON.stringify(message)));
    client.once('message', (data) => {
      resolve({ frame: String(data) });
      client.close();
    });
    client.once('close', (code, reason) => resolve({ code, reason }));
    client.once('error', reject);
  });
}

/** Checks what the client got against `category`; returns the id it carries. */
function check(got: { frame?: string; code?: number; reason?: Buffer }, category: string): string {
  const spec = TAXONOMY[category as keyof typeof TAXONOMY];
  if (got.frame !== undefined) {
    expect(got.frame).not.toMatch(FORBIDDEN);
    expect(hasControl(got.frame)).toBe(false);
    const { error } = JSON.parse(got.frame) as { error: { code: string; message: string; request_id: string } };
    expect([error.code, error.message]).toEqual([spec.code, spec.message]);
    expect(error.request_id).toMatch(new RegExp(`^${V4}$`));
    return error.request_id;
  }
  const reason = got.reason as Buffer;
  expect(got.code).toBe(spec.wsClose);
  expect(reason.length).toBeLessThanOrEqual(123);
  expect(isUtf8(reason)).toBe(true);
  expect(String(reason)).toMatch(new RegExp(`^${spec.code} ${V4}$`));
  return String(reason).split(' ')[1] as string;
}

describe.each(NAMES)('%s', (name) => {
  const category = (VALUES[name] as [() => unknown, string])[1];

  it.each(['sync', 'async', 'fail'])('from a message handler (%s)', async (style) => {
    const id = check(await exchange('/', { name, style }), category);
    await reporter.flush();
    expect(recordFor(log.records, id)).toMatchObject({ protocol: 'ws', category });
  });

  it('from the connection handler', async () => {
    check(await exchange(`/?connection=${encodeURIComponent(name)}`), category);
  });

  it('from the upgrade check', async () => {
    const raw = await rawHttpExchange(
      port,
      `GET /?upgrade=${encodeURIComponent(name)} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const spec = TAXONOMY[category as keyof typeof TAXONOMY];
    expect(raw.startsWith(`HTTP/1.1 ${spec.http} `)).toBe(true);
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    expect(raw).not.toMatch(FORBIDDEN);
    expect(hasControl(body)).toBe(false);
    expect(JSON.parse(body)).toMatchObject({ code: spec.code, detail: spec.message });
  });

  it("emitted as the socket's 'error': recorded, the connection stays up", async () => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    const first = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
    client.send(JSON.stringify({ name, style: 'emit' }));
    client.send(JSON.stringify({ name, style: 'echo' }));
    expect(await first).toBe('alive');
    client.close();
  });
});
