/**
 * One WebSocket session of a probe: open, send, then listen for what a client could read (data
 * frames, pings and pongs, the close, the 101 answer's fields, or the HTTP answer refusing the
 * upgrade) until a late reply has had time to come, bounded in time and by the run's signal.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { Answer } from '../answer.js';
import { fromRaw } from '../http/h2-request.js';
import { Frames } from './frames.js';

/** What one session saw. */
export interface Session {
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

/**
 * How long a session listens after its messages are sent, whatever came before: a server may send a
 * welcome at once and its error (the leak) a second later, from a queue or a slow handler. Two
 * seconds covers a reply within 1.5 s with room; the probes of one path run at once, so a clean
 * WebSocket endpoint costs about one such window, not one per probe.
 */
export const LATE_MS = 2000;
/** How long a session still listens after its last frame once {@link LATE_MS} has passed (a burst's end). */
const QUIET_MS = 300;

/**
 * Opens `url`, sends with `send`, and collects frames and the close until {@link LATE_MS} after the
 * send and {@link QUIET_MS} after the last frame, whichever is later, and never past `waitMs`.
 */
export function session(
  url: string,
  send: (socket: WebSocket) => void,
  limits: { waitMs: number; handshakeMs: number },
  signal: AbortSignal,
  onOpen?: () => void,
): Promise<Session> {
  const { waitMs, handshakeMs } = limits;
  return new Promise((resolve) => {
    const frames = new Frames();
    let opened = false;
    let headers: Record<string, string> = {};
    // Aborted before it began: no socket, and no timers to clear.
    if (signal.aborted) {
      resolve({ opened, frames, headers, error: 'aborted' });
      return;
    }
    const socket = new WebSocket(url, { rejectUnauthorized: false, maxPayload: 1024 * 1024, handshakeTimeout: waitMs });
    let quiet: NodeJS.Timeout | undefined;
    let response: IncomingMessage | undefined;
    let ended = false;
    const done = (result: { close?: { code: number; reason: string }; error?: string; refused?: Answer }) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      clearTimeout(handshake);
      clearTimeout(quiet);
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      response?.destroy();
      resolve({ opened, frames, headers, ...result });
    };
    const onAbort = () => done({ error: 'aborted' });
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => done(opened ? {} : { error: 'timeout' }), waitMs);
    // A handshake not answered in time is a timeout, whatever is left of the session's limit.
    const handshake = setTimeout(() => opened || done({ error: 'timeout' }), handshakeMs);
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
    let sentAt = 0;
    /** Ends the session at the later of {@link LATE_MS} after the send and {@link QUIET_MS} from now. */
    const listen = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => done({}), Math.max(QUIET_MS, sentAt + LATE_MS - Date.now()));
    };
    socket.on('open', () => {
      opened = true;
      send(socket);
      sentAt = Date.now();
      listen();
      onOpen?.();
    });
    // Each frame (data, ping, pong) extends the wait: a reply to the second of three messages is read.
    const frame = (data: Buffer) => {
      frames.add(data);
      listen();
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
