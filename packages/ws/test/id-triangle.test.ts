/**
 * The id triangle on ws under a real OpenTelemetry SDK (in-memory exporter, instrumentation-http
 * loaded before `node:http` and `ws`): for every failure style, the id the `ws` client receives
 * (error frame `request_id`, close reason `<CODE> <id>`, refused upgrade's `x-request-id`) == the
 * `request_id` of exactly one log record == `app.error.id` on the span the adapter annotates. The
 * adapter creates no span of its own: it marks the span active where the fault is answered. Message
 * faults run under the application's span, which carries the id. An upgrade has no span
 * (instrumentation-http makes spans for 'request' only, never 'upgrade'), nor has the
 * 'connection' listener after the 101: no span carries those ids. Real server and client on 127.0.0.1.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { captureSpans, type SpanCapture } from '@faultline/testkit/tracing';
import { trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as WsModule from 'ws';

const ID_ATTRIBUTE = 'app.error.id';

let tracing: SpanCapture;
let ws: typeof WsModule;
let server: Server;
let port: number;
let records: Record<string, unknown>[];

beforeAll(async () => {
  tracing = captureSpans([new HttpInstrumentation()]);
  const require = createRequire(import.meta.url);
  const http = require('node:http') as typeof import('node:http');
  ws = require('ws') as typeof WsModule;
  const { createWsAdapter } = await import('../src/index.js');
  const { createReporter, FaultError } = await import('@faultline/core');
  const { memoryLog } = await import('@faultline/testkit');
  const log = memoryLog();
  records = log.records;
  const fl = createWsAdapter({
    reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  const tracer = trace.getTracer('app');
  const wss = new ws.WebSocketServer({
    noServer: true,
    verifyClient: ((info: { req: { url?: string } }) => info.req.url !== '/verify-refuses') as never,
  });
  const handle = (message: unknown) => {
    const what = (message as { do?: string }).do;
    if (what === 'throw') throw FaultError.of('conflict', { cause: new Error('duplicate hunter2') });
    if (what === 'reject') return Promise.reject(FaultError.of('not_found', { cause: new Error('no row hunter2') }));
    if (what === 'fatal') throw new Error('db.internal password=hunter2');
    return undefined;
  };
  wss.on(
    'connection',
    fl.connection((socket) => {
      // The application's span for each message; ended a little later, so async faults find it open.
      socket.on('message', (data, isBinary) =>
        tracer.startActiveSpan('app.message', (span) => {
          fl.json(socket, handle)(data, isBinary);
          setTimeout(() => span.end(), 30);
        }),
      );
    }),
  );
  // A listener the adapter did not wrap, throwing after the 101.
  wss.on('connection', (_socket: unknown, request: { url?: string }) => {
    if (request.url === '/listener-throws') throw new Error('listener hunter2');
  });
  server = http.createServer((_req, res) => res.end('ok'));
  server.on(
    'upgrade',
    fl.upgrade(wss, (request) => {
      if (request.url === '/check-throws') throw new Error('check db.internal hunter2');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await tracing.shutdown();
});

type Seen = { id: string; how: string };

/** Opens `path`, sends `message` once open (if any); resolves with the first id the client sees. */
function exchange(path: string, message?: string | Buffer): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('nothing came back')), 3000);
    const done = (seen: Seen) => {
      clearTimeout(timer);
      client.terminate();
      resolve(seen);
    };
    const client = new ws.WebSocket(`ws://127.0.0.1:${port}${path}`);
    client.on('error', () => undefined);
    client.on('open', () => {
      if (message !== undefined) client.send(message, { binary: Buffer.isBuffer(message) });
    });
    client.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { error: { code: string; request_id: string } };
      done({ id: frame.error.request_id, how: `frame ${frame.error.code}` });
    });
    client.on('close', (code, reason) => {
      const [publicCode, id] = String(reason).split(' ');
      done({ id: String(id), how: `close ${code} ${publicCode}` });
    });
    client.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += String(chunk);
      });
      res.on('end', () => {
        const header = String(res.headers['x-request-id']);
        expect((JSON.parse(body) as { request_id: string }).request_id).toBe(header);
        done({ id: header, how: `http ${res.statusCode}` });
      });
    });
  });
}

const CASES: readonly (readonly [string, string, string | Buffer | undefined, string, boolean])[] = [
  ['fl.json sync throw: error frame', '/', '{"do":"throw"}', 'frame CONFLICT', true],
  ['fl.json async rejection: error frame', '/', '{"do":"reject"}', 'frame NOT_FOUND', true],
  ['fl.json invalid JSON: error frame', '/', 'not json hunter2', 'frame VALIDATION_FAILED', true],
  [
    'fl.json bytes that are not UTF-8: error frame',
    '/',
    Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    'frame VALIDATION_FAILED',
    true,
  ],
  ['fl.json fatal fault: close reason <CODE> <id>', '/', '{"do":"fatal"}', 'close 1011 INTERNAL', true],
  ['upgrade check throws: HTTP answer', '/check-throws', undefined, 'http 500', false],
  ['verifyClient refusal: HTTP answer', '/verify-refuses', undefined, 'http 401', false],
  ["'connection' listener throws after the 101: close", '/listener-throws', undefined, 'close 1011 INTERNAL', false],
];

describe('ws id triangle: client id == log record == annotated span', () => {
  it.each(CASES)('%s', { timeout: 10_000 }, async (_name, path, message, how, spanned) => {
    const seen = await exchange(path, message);
    expect(seen.how).toBe(how);
    expect(seen.id).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 60)); // the reporter's write, the span's end
    expect(records.filter((r) => r.request_id === seen.id)).toHaveLength(1);
    const marked = tracing.exporter.getFinishedSpans().filter((s) => s.attributes[ID_ATTRIBUTE] === seen.id);
    expect(marked.map((s) => s.name)).toEqual(spanned ? ['app.message'] : []);
  });
});
