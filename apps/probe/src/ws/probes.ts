/**
 * WebSocket probes on the given path and the common ones (`/ws`, `/socket`, `/graphql`, `/cable`):
 * a bad handshake with a hostile X-Request-ID (answered as HTTP); then, where an upgrade is
 * accepted, a malformed message (three times on one connection), wrong-typed JSON, an invalid
 * UTF-8 text frame and an oversized message on fresh connections. Everything a client can
 * read is checked: the fields of the 101 answer, the HTTP answer to a valid handshake that is
 * refused, data frames, ping and pong payloads and close reasons; an abnormal close (1006) is
 * reported. Every connection ends at its limit of time or when the run's signal aborts.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { type Answer, checkAnswer } from '../answer.js';
import { pool } from '../budget.js';
import { discover, type ProbeRun } from '../context.js';
import { coverageFinding } from '../coverage.js';
import { fromRaw } from '../http/h2-request.js';
import { wrongBody } from '../http/mutate.js';
import { type Endpoint, exchange } from '../http/raw-request.js';
import { Frames, OVERSIZED } from './frames.js';

/** Paths where WebSocket endpoints usually are. */
export const WS_PATHS = ['/ws', '/socket', '/graphql', '/cable'];

interface Session {
  readonly opened: boolean;
  readonly frames: Frames;
  /** The fields of the 101 answer. */
  readonly headers: Record<string, string>;
  /** The HTTP answer to the handshake, when the upgrade was refused (its body's first 64 KB). */
  readonly refused?: Answer;
  readonly close?: { code: number; reason: string };
  readonly error?: string;
}

/** The most read of the body of a refused upgrade. */
const REFUSED_BYTES = 65_536;

/** Opens `url`, sends with `send`, and collects frames and the close until `waitMs` (or 300 ms after the last frame). */
function session(
  url: string,
  send: (socket: WebSocket) => void,
  waitMs: number,
  signal: AbortSignal,
): Promise<Session> {
  return new Promise((resolve) => {
    const frames = new Frames();
    let opened = false;
    let headers: Record<string, string> = {};
    const socket = new WebSocket(url, { rejectUnauthorized: false, maxPayload: 1024 * 1024, handshakeTimeout: waitMs });
    let quiet: NodeJS.Timeout | undefined;
    let response: IncomingMessage | undefined;
    let ended = false;
    const done = (result: { close?: { code: number; reason: string }; error?: string; refused?: Answer }) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      clearTimeout(quiet);
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      response?.destroy();
      resolve({ opened, frames, headers, ...result });
    };
    const onAbort = () => done({ error: 'aborted' });
    if (signal.aborted) {
      done({ error: 'aborted' });
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => done(opened ? {} : { error: 'timeout' }), waitMs);
    socket.on('upgrade', (res: IncomingMessage) => {
      headers = fromRaw(res.rawHeaders);
    });
    // A valid handshake refused with an HTTP answer: its head and the start of its body are read.
    socket.on('unexpected-response', (_req, res: IncomingMessage) => {
      response = res;
      const chunks: Buffer[] = [];
      let size = 0;
      const refused = () =>
        done({
          error: `Unexpected server response: ${res.statusCode ?? 0}`,
          refused: {
            status: res.statusCode ?? 0,
            ...(res.statusMessage ? { reason: res.statusMessage } : {}),
            headers: fromRaw(res.rawHeaders),
            body: Buffer.concat(chunks).toString('utf8'),
          },
        });
      res.on('data', (chunk: Buffer) => {
        if (size < REFUSED_BYTES) chunks.push(chunk.subarray(0, REFUSED_BYTES - size));
        size += chunk.length;
        if (size >= REFUSED_BYTES) refused();
      });
      res.on('end', refused);
      res.on('error', refused);
    });
    socket.on('open', () => {
      opened = true;
      send(socket);
    });
    // Each frame (data, ping, pong) restarts the wait: a reply to the second of three messages is read.
    const frame = (data: Buffer) => {
      frames.add(data);
      clearTimeout(quiet);
      quiet = setTimeout(() => done({}), 300);
    };
    socket.on('message', (data) =>
      frame(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)),
    );
    socket.on('ping', (data: Buffer) => frame(Buffer.concat([Buffer.from('ping '), data])));
    socket.on('pong', (data: Buffer) => frame(Buffer.concat([Buffer.from('pong '), data])));
    socket.on('close', (code, reason) => done({ close: { code, reason: String(reason) } }));
    socket.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
  });
}

/** Runs the WebSocket probes against `origin` (`ws://host:port`) on `paths`; findings go to `run.findings`. */
export async function probeWs(
  run: ProbeRun,
  origin: string,
  endpoint: Endpoint,
  paths: readonly string[],
): Promise<void> {
  const { budget, marker } = run;
  const hostileId = `"}<script>${marker}`;
  const open: string[] = [];
  await pool(paths, 4, budget.signal, async (path) => {
    if (!budget.take()) return;
    run.onProgress?.(`ws bad-handshake ${path}`);
    const handshake = await exchange(
      endpoint,
      {
        method: 'GET',
        path,
        headers: {
          upgrade: 'websocket',
          connection: 'Upgrade',
          'sec-websocket-key': `<${marker}>`,
          'sec-websocket-version': '13',
          'x-request-id': hostileId,
        },
      },
      { timeoutMs: budget.requestTimeout(), signal: budget.signal },
    );
    budget.record(handshake.outcome);
    if (handshake.answer !== undefined)
      run.findings.push(
        ...checkAnswer(handshake.answer, {
          probe: 'ws bad-handshake',
          location: `GET ${path}`,
          marker,
          hostileId,
          expectError: true,
          http: true,
        }),
      );
    if (handshake.outcome !== 'refused') open.push(path);
  });
  const probes: { name: string; send: (socket: WebSocket) => void }[] = [
    {
      name: 'malformed-message',
      // Three times: some servers answer the first bad message plainly and leak on a later one.
      send: (s) => {
        for (let i = 0; i < 3; i += 1) s.send(`{"${marker}": `);
      },
    },
    { name: 'wrong-types', send: (s) => s.send(wrongBody(undefined)) },
    { name: 'invalid-utf8', send: (s) => s.send(Buffer.from([0xff, 0xfe, 0xc3, 0x28]), { binary: false }) },
    { name: 'oversized-message', send: (s) => s.send('x'.repeat(4 * 1024 * 1024)) },
  ];
  await pool(open, 2, budget.signal, async (path) => {
    const url = `${origin}${path}`;
    for (const probe of probes) {
      if (!budget.take()) return;
      run.onProgress?.(`ws ${probe.name} ${path}`);
      const result = await session(url, probe.send, Math.min(budget.requestTimeout(), 1500), budget.signal);
      // An upgrade refused with an HTTP answer is an answer; the bad handshake already checked it.
      const refusedWithAnswer = /^Unexpected server response/.test(result.error ?? '');
      // A message over the limit (1 MB) cannot be read by the probe, nor by a client with a sane limit.
      const oversized = result.opened && result.error === OVERSIZED;
      budget.record(
        oversized
          ? 'unparseable'
          : result.opened || refusedWithAnswer
            ? 'answered'
            : result.error === 'aborted'
              ? 'aborted'
              : result.error === 'timeout'
                ? 'timeout'
                : 'closed',
      );
      // The HTTP answer to a valid handshake: checked for leaks (its fields were judged on the bad handshake's).
      if (result.refused !== undefined)
        run.findings.push(
          ...checkAnswer(result.refused, { probe: `ws ${probe.name}`, location: `GET ${path}`, marker }),
        );
      // A path that does not accept the upgrade is not a WebSocket endpoint: nothing more to send there.
      if (!result.opened) return;
      if (probe.name === 'malformed-message') discover(run, 'ws path', url);
      if (oversized)
        run.findings.push({
          rule: 'protocol/unparseable',
          severity: 'medium',
          message: 'The target sent a WebSocket message over 1 MB: a client cannot read it.',
          probe: `ws ${probe.name}`,
          location: url,
        });
      if (result.frames.unscanned > 0)
        run.findings.push(coverageFinding(result.frames.unscanned, `ws ${probe.name}`, url));
      const body = [
        ...result.frames.texts,
        result.close === undefined ? '' : `close ${result.close.code} ${result.close.reason}`,
      ].join('\n');
      run.findings.push(
        ...checkAnswer(
          { status: result.close?.code ?? 0, headers: result.headers, body },
          { probe: `ws ${probe.name}`, location: url, marker },
        ),
      );
      if (result.close?.code === 1006)
        run.findings.push({
          rule: 'availability/abnormal-close',
          severity: 'high',
          message: 'The connection ended without a close frame (1006): the server or its handler failed.',
          probe: `ws ${probe.name}`,
          location: url,
        });
    }
  });
}
