/**
 * ws under a real OpenTelemetry SDK (instrumentation-http loaded before `node:http` and `ws`, an
 * in-memory span exporter, and a logs SDK with an in-memory log record exporter): for each way a
 * connection fails, the span the guide says is marked carries `app.error.id` equal to the id the
 * client sees (error frame `request_id`, close reason `<CODE> <id>`), and the exception log
 * record carries that id and that span's trace and span ids. Where the guide says no span carries
 * the id (a message fault with no span active, a socket 'error', a refused upgrade), none does:
 * not even the server span of an HTTP request held open on the same server meanwhile, and the log
 * record is linked to no span. Real server and `ws` client on 127.0.0.1.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { captureSpans, type SpanCapture } from '@faultline/testkit/tracing';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as WsModule from 'ws';

const ID = 'app.error.id';
const logRecords = new InMemoryLogRecordExporter();
const tick = () => new Promise((resolve) => setImmediate(resolve));

let tracing: SpanCapture;
let ws: typeof WsModule;
let server: Server;
let port: number;
/** Ends the HTTP request held open on the server (its span is the one no fault may mark). */
let releaseHeld: (() => void) | undefined;

beforeAll(async () => {
  tracing = captureSpans([new HttpInstrumentation()]);
  logs.setGlobalLoggerProvider(
    new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logRecords })] }),
  );
  const require = createRequire(import.meta.url);
  const http = require('node:http') as typeof import('node:http');
  ws = require('ws') as typeof WsModule;
  const { createWsAdapter } = await import('../src/index.js');
  const { createReporter, FaultError } = await import('@faultline/core');
  const { memoryLog } = await import('@faultline/testkit');
  const fl = createWsAdapter({
    reporter: createReporter({ logger: memoryLog().logger, dedupWindowMs: 0, flushOnExit: false }),
  });
  const tracer = trace.getTracer('app');
  const wss = new ws.WebSocketServer({ noServer: true });
  const handle = async (message: unknown) => {
    const what = (message as { do?: string }).do;
    if (what === 'throw') throw FaultError.of('conflict', { cause: new Error('duplicate hunter2') });
    await tick();
    if (what === 'reject') throw FaultError.of('not_found', { cause: new Error('no row hunter2') });
    if (what === 'fatal') throw new Error('db.internal password=hunter2');
  };
  wss.on(
    'connection',
    fl.connection((socket, { request }) => {
      if (request.url === '/traced') {
        // One span per message, as the guide says: around the wrapper, ended once what it
        // returns settled (the handler's work done, its fault answered).
        const onMessage = fl.json(socket, handle);
        socket.on('message', (data, isBinary) =>
          tracer.startActiveSpan('app.message', async (span) => {
            try {
              await onMessage(data, isBinary);
            } finally {
              span.end();
            }
          }),
        );
      } else if (request.url === '/stream') {
        const duplex = fl.stream(socket, ws.createWebSocketStream(socket));
        duplex.on('data', () =>
          tracer.startActiveSpan('app.stream', (span) => {
            duplex.destroy(new Error('stream stage failed: db.internal'));
            span.end();
          }),
        );
      } else {
        socket.on('message', fl.json(socket, handle));
      }
    }),
  );
  server = http.createServer((request, response) => {
    if (request.url !== '/held') return void response.end('ok');
    releaseHeld = () => response.end('released');
  });
  server.on(
    'upgrade',
    fl.upgrade(wss, (request) => {
      if (request.url === '/refused') throw new Error('check db.internal hunter2');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  releaseHeld?.();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await tracing.shutdown();
  logs.disable();
});

type Seen = { id: string; how: string };

/** Opens `path`, then `act`s on the open client; resolves with the first id the client sees. */
function exchange(path: string, act: (client: WsModule.WebSocket) => void): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('nothing came back')), 3000);
    const done = (seen: Seen) => {
      clearTimeout(timer);
      client.terminate();
      resolve(seen);
    };
    const client = new ws.WebSocket(`ws://127.0.0.1:${port}${path}`);
    client.on('error', () => undefined);
    client.on('open', () => act(client));
    client.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { error: { code: string; request_id: string } };
      done({ id: frame.error.request_id, how: `frame ${frame.error.code}` });
    });
    client.on('close', (code, reason) => {
      const [publicCode, id] = String(reason).split(' ');
      done({ id: String(id), how: `close ${code}${publicCode ? ` ${publicCode}` : ''}` });
    });
    client.on('unexpected-response', (_request, response) => {
      response.resume();
      done({ id: String(response.headers['x-request-id']), how: `http ${response.statusCode}` });
    });
  });
}

const send = (text: string) => (client: WsModule.WebSocket) => client.send(text);
/** A text frame the client did not mask: a protocol error ws reports as the server socket's 'error'. */
const unmasked = (client: WsModule.WebSocket) =>
  (client as unknown as { _socket: Duplex })._socket.write(Buffer.from([0x81, 0x01, 0x78]));

const logRecordOf = (id: string) => logRecords.getFinishedLogRecords().filter((r) => r.attributes[ID] === id);
const marked = (id: string) => tracing.exporter.getFinishedSpans().filter((s) => s.attributes[ID] === id);

/** Waits for the log record of `id` (the reporter emits it in its next turn) and returns it. */
async function oneLogRecord(id: string) {
  for (let i = 0; i < 200 && logRecordOf(id).length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
  const records = logRecordOf(id);
  expect(records).toHaveLength(1);
  return records[0];
}

describe('ws: the span the guide promises carries the id; the OTel log record is linked to it', () => {
  it.each([
    ['sync throw: error frame', '{"do":"throw"}', 'frame CONFLICT', SpanStatusCode.UNSET],
    ['async rejection: error frame', '{"do":"reject"}', 'frame NOT_FOUND', SpanStatusCode.UNSET],
    ['server fault: close 1011 <CODE> <id>', '{"do":"fatal"}', 'close 1011 INTERNAL', SpanStatusCode.ERROR],
    ['invalid JSON: error frame', 'not json', 'frame VALIDATION_FAILED', SpanStatusCode.UNSET],
  ] as const)('a message fault inside a span per message, %s', async (_name, message, how, status) => {
    const seen = await exchange('/traced', send(message));
    expect(seen.how).toBe(how);
    const record = await oneLogRecord(seen.id);
    await tick();
    const spans = marked(seen.id);
    expect(spans.map((s) => s.name)).toEqual(['app.message']);
    const span = spans[0] as ReadableSpan;
    expect(span.status.code).toBe(status);
    expect(record?.spanContext?.traceId).toBe(span.spanContext().traceId);
    expect(record?.spanContext?.spanId).toBe(span.spanContext().spanId);
  });

  it('50 connections failing at once, each inside its own span: each span has its own id and log record', async () => {
    const seen = await Promise.all(Array.from({ length: 50 }, () => exchange('/traced', send('{"do":"reject"}'))));
    expect(new Set(seen.map((s) => s.id)).size).toBe(50);
    for (const { id, how } of seen) {
      expect(how).toBe('frame NOT_FOUND');
      const record = await oneLogRecord(id);
      const spans = marked(id);
      expect(spans.map((s) => s.name)).toEqual(['app.message']);
      expect(record?.spanContext?.spanId).toBe(spans[0]?.spanContext().spanId);
    }
  });

  it('a fl.stream stage failing inside the application span: close 1011, the span and the log record', async () => {
    const seen = await exchange('/stream', send('x'));
    expect(seen.how).toBe('close 1011 INTERNAL');
    const record = await oneLogRecord(seen.id);
    const spans = marked(seen.id);
    expect(spans.map((s) => s.name)).toEqual(['app.stream']);
    expect(record?.spanContext?.spanId).toBe(spans[0]?.spanContext().spanId);
  });

  describe('where no span carries the id, none is marked, with an HTTP request held open meanwhile', () => {
    let held: Promise<string>;
    beforeAll(async () => {
      held = fetch(`http://127.0.0.1:${port}/held`).then((r) => r.text());
      for (let i = 0; i < 200 && releaseHeld === undefined; i += 1) await new Promise((r) => setTimeout(r, 5));
    });

    it.each([
      ['a message handler with no span: sync throw', '/plain', send('{"do":"throw"}'), 'frame CONFLICT'],
      ['a message handler with no span: async rejection', '/plain', send('{"do":"reject"}'), 'frame NOT_FOUND'],
      ['a message handler with no span: close 1011', '/plain', send('{"do":"fatal"}'), 'close 1011 INTERNAL'],
      ['an upgrade refused by check', '/refused', () => undefined, 'http 500'],
    ] as const)('%s', async (_name, path, act, how) => {
      const seen = await exchange(path, act);
      expect(seen.how).toBe(how);
      const record = await oneLogRecord(seen.id);
      expect(record?.spanContext).toBeUndefined();
      expect(marked(seen.id)).toEqual([]);
    });

    it("a socket 'error' (an unmasked frame): ws's own 1002, recorded, linked to no span", async () => {
      const before = logRecords.getFinishedLogRecords().length;
      const seen = await exchange('/plain', unmasked);
      expect(seen.how).toBe('close 1002');
      for (let i = 0; i < 200 && logRecords.getFinishedLogRecords().length === before; i += 1) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const records = logRecords.getFinishedLogRecords().slice(before);
      expect(records).toHaveLength(1);
      expect(records[0]?.spanContext).toBeUndefined();
      expect(marked(String(records[0]?.attributes[ID]))).toEqual([]);
    });

    it('the HTTP server span held open through all of them carries no fault id', async () => {
      releaseHeld?.();
      expect(await held).toBe('released');
      await tick();
      const httpSpans = tracing.exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
      expect(httpSpans.map((s) => s.name)).toEqual(['GET']);
      expect(httpSpans[0]?.attributes[ID]).toBeUndefined();
    });
  });
});
