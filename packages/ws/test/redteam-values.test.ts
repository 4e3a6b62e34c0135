/**
 * Red team (attacker's audit): testkit's extreme hostile values (`EXTREME_VALUES`) through ws
 * failure styles: a throw in a `fl.json` message handler, an async rejection, `socket.emit('error')`, and a
 * rejection from a `send` callback; and a client closing with a hostile reason while its message
 * fails. Wired as the README shows (`fl.connection`, `fl.json`, `fl.upgrade`, `fl.clientError`,
 * maxPayload 1 MiB). Each answer: an error frame (4xx) or a close with the category's code and
 * `<CODE> <id>` (fatal), the generic message, a UUID v4 id, nothing of the value; the record under
 * the id exists, bounded and redacted; the server keeps serving. Real ws server and client on
 * 127.0.0.1 port 0, bounded waits.
 */
import { createServer, type Server } from 'node:http';
import { createReporter, TAXONOMY } from '@faultline/core';
import {
  crashWatch,
  EXTREME_TEXT,
  EXTREME_VALUES,
  extremeLeaks,
  makeExtreme,
  memoryLog,
  problemsByStyle,
  recordFor,
  recordProblems,
  UUID_V4,
  until,
} from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';
import { exchange, type Got } from './style-exchange.js';

const STYLES = ['sync', 'async', 'emit', 'send-callback', 'client-closes'] as const;
const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
const watch = crashWatch();
let server: Server;
let wss: WebSocketServer;
let port = 0;

beforeAll(async () => {
  watch.start();
  const fl = createWsAdapter({ reporter });
  wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  wss.on(
    'connection',
    fl.connection((socket) => {
      const onMessage = (message: unknown) => {
        const { name, style } = message as { name: string; style: string };
        if (name === 'echo') return void socket.send('alive');
        if (style === 'sync') throw makeExtreme(name);
        if (style === 'emit') return void socket.emit('error', makeExtreme(name));
        if (style === 'send-callback')
          return new Promise((_resolve, reject) => socket.send('ack', () => reject(makeExtreme(name))));
        return new Promise((resolve) => setTimeout(resolve, style === 'client-closes' ? 30 : 1)).then(() => {
          throw makeExtreme(name);
        });
      };
      socket.on('message', fl.json(socket, onMessage));
    }),
  );
  server = createServer((_request, response) => response.writeHead(426).end());
  server.on('upgrade', fl.upgrade(wss));
  server.on('clientError', fl.clientError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  watch.stop();
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** What is wrong with the answer (empty when right); the id it carried. */
function answerProblems(statuses: readonly number[], style: string, got: Got): { problems: string[]; id?: string } {
  // The client's own close reason comes back in the closing handshake: not the server's text.
  const visible = `${got.frames.join('\n')}\n${style === 'client-closes' ? '' : (got.close?.reason ?? '')}`;
  const leaks = extremeLeaks(visible).map((s) => `leaks ${s}`);
  if (style === 'client-closes') return { problems: leaks };
  if (style === 'emit')
    return {
      id: got.connectionId,
      problems: [got.frames.join() === 'alive' ? '' : `frames ${got.frames.join()}`, ...leaks].filter((p) => p !== ''),
    };
  const frame = got.frames[0];
  if (frame !== undefined) {
    const { error } = JSON.parse(frame) as {
      error: { status: number; code: string; message: string; request_id: string };
    };
    const spec = Object.values(TAXONOMY).find((s) => s.http === error.status && s.code === error.code);
    return {
      id: error.request_id,
      problems: [
        statuses.includes(error.status) ? '' : `status ${error.status}`,
        spec !== undefined && error.message === spec.message ? '' : `message ${error.message}`,
        UUID_V4.test(error.request_id) ? '' : 'id',
        ...leaks,
      ].filter((p) => p !== ''),
    };
  }
  const [code = '', id = ''] = (got.close?.reason ?? '').split(' ');
  const spec = Object.values(TAXONOMY).find((s) => s.code === code);
  return {
    id,
    problems: [
      spec !== undefined && statuses.includes(spec.http) ? '' : `close ${got.close?.code} ${code}`,
      spec !== undefined && got.close?.code === spec.wsClose ? '' : `close code ${got.close?.code}`,
      UUID_V4.test(id) ? '' : 'id',
      ...leaks,
    ].filter((p) => p !== ''),
  };
}

describe('extreme hostile values through ws failure styles', () => {
  it.each(Object.entries(EXTREME_VALUES))('%s', { timeout: 60_000 }, async (name, { statuses }) => {
    const wrong = await problemsByStyle(STYLES, async (style) => {
      const got = await exchange(port, name, style, EXTREME_TEXT.slice(0, 120));
      const { problems, id } = answerProblems(statuses, style, got);
      if (id === undefined || !UUID_V4.test(id)) return problems;
      await reporter.flush();
      // An emitted 'error' has its own id; its record names the connection.
      const recordId = () =>
        style === 'emit'
          ? log.records.find((r) => (r.attributes as { connection_id?: string } | undefined)?.connection_id === id)
              ?.request_id
          : id;
      await until(() => recordFor(log.records, recordId()) !== undefined, 2000).catch(() => undefined);
      return [...problems, ...recordProblems(log.records, String(recordId()))];
    });
    const echo = await new Promise<string>((resolve, reject) => {
      const client = new WebSocket(`ws://127.0.0.1:${port}/`);
      const timer = setTimeout(() => reject(new Error('no echo')), 5000);
      client.once('open', () => client.send(JSON.stringify({ name: 'echo' })));
      client.once('message', (data) => {
        clearTimeout(timer);
        client.close();
        resolve(String(data));
      });
      client.once('error', reject);
    });
    expect(echo).toBe('alive');
    expect(wrong).toEqual([]);
    expect(watch.crashes).toEqual([]);
  });
});
