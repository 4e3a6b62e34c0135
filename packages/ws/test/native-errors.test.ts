/**
 * Node's own errors (testkit's `NATIVE_VALUES`) and popular libraries' (`LIBRARY_VALUES`) through
 * the ws adapter's failure styles: a
 * message handler throwing, rejecting, rejecting from a send callback, an 'error' emitted on the
 * socket (recorded under the connection, the socket stays up), and the connection handler
 * throwing. Each answer (error frame or close): the category's status or close code with its
 * generic text, a UUID v4 id, nothing of the path, host, address, SQL, argv or library text; the
 * record under the id keeps the code and syscall, redacted; the server keeps serving.
 */
import { createServer, type Server } from 'node:http';
import { createReporter, TAXONOMY } from '@faultline/core';
import {
  crashWatch,
  memoryLog,
  type NativeValue,
  nativeLeaks,
  nativeRecordProblems,
  prepareNativeValues,
  REAL_WORLD_CORPORA,
  REAL_WORLD_VALUES,
  recordFor,
  UUID_V4,
  until,
} from '@faultline/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';
import { exchange, type Got } from './style-exchange.js';

const STYLES = ['sync', 'async', 'send-callback', 'emit', 'connection'] as const;
const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const watch = crashWatch();
let server: Server;
let wss: WebSocketServer;
let port = 0;
const VALUES = REAL_WORLD_VALUES;
const make = (name: string) => VALUES[name]?.make();

beforeAll(async () => {
  watch.start();
  await prepareNativeValues();
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    fl.connection((socket, { request }) => {
      const path = decodeURIComponent(String(request.url).slice(1));
      if (path !== '') throw make(path);
      const onMessage = (message: unknown) => {
        const { name, style } = message as { name: string; style: string };
        if (name === 'echo') return void socket.send('alive');
        if (style === 'sync') throw make(name);
        if (style === 'emit') return void socket.emit('error', make(name));
        if (style === 'send-callback') return new Promise((_r, reject) => socket.send('ack', () => reject(make(name))));
        return new Promise((resolve) => setImmediate(resolve)).then(() => {
          throw make(name);
        });
      };
      socket.on('message', fl.json(socket, onMessage));
    }),
  );
  server = createServer((_request, response) => response.writeHead(426).end());
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  watch.stop();
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** What is wrong with the answer to `category` (empty when right), and the id it carried. */
function answerProblems(
  category: string,
  style: string,
  got: Got,
  forbidden: readonly string[],
): { problems: string[]; id: string } {
  const spec = TAXONOMY[category as keyof typeof TAXONOMY];
  const leaks = nativeLeaks(`${got.frames.join('\n')}\n${got.close?.reason ?? ''}`, forbidden).map((s) => `leaks ${s}`);
  if (style === 'emit') {
    return { id: got.connectionId, problems: [got.frames.join() === 'alive' ? '' : `frames ${got.frames}`, ...leaks] };
  }
  const frame = got.frames[0];
  if (frame !== undefined) {
    const { error } = JSON.parse(frame) as { error: { status: number; message: string; request_id: string } };
    return {
      id: error.request_id,
      problems: [
        error.status === spec.http ? '' : `status ${error.status}`,
        error.message === spec.message ? '' : `message ${error.message}`,
        UUID_V4.test(error.request_id) ? '' : 'id',
        ...leaks,
      ],
    };
  }
  const [code = '', id = ''] = (got.close?.reason ?? '').split(' ');
  return {
    id,
    problems: [
      code === spec.code && got.close?.code === spec.wsClose ? '' : `close ${got.close?.code} ${got.close?.reason}`,
      UUID_V4.test(id) ? '' : 'id',
      ...leaks,
    ],
  };
}

it.each(REAL_WORLD_CORPORA)(
  '%s in every ws style: status or close, generic text, an id, no leak, a full record',
  {
    timeout: 60_000,
  },
  async (_t, values: Readonly<Record<string, NativeValue>>, forbidden: readonly string[]) => {
    const wrong: string[] = [];
    for (const [name, native] of Object.entries(values)) {
      for (const style of STYLES) {
        try {
          const { problems, id } = answerProblems(native.category, style, await exchange(port, name, style), forbidden);
          // An emitted 'error' has its own id; its record names the connection.
          const recordId = () =>
            style === 'emit'
              ? String(
                  log.records.find((r) => (r.attributes as { connection_id?: string })?.connection_id === id)
                    ?.request_id,
                )
              : id;
          await until(() => recordFor(log.records, recordId()) !== undefined).catch(() => undefined);
          const all = [...problems, ...nativeRecordProblems(log.records, recordId(), native)].filter((p) => p !== '');
          if (all.length > 0) wrong.push(`${name} / ${style}: ${all.join(', ')}`);
        } catch (error) {
          wrong.push(`${name} / ${style}: ${(error as Error).message}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect((await exchange(port, 'echo', 'sync')).frames).toEqual(['alive']);
    expect(watch.crashes).toEqual([]);
  },
);
