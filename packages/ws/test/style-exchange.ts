/**
 * One exchange of the ws red-team tests (hostile values, Node's own errors): a client that sends
 * `{ name, style }` and gathers what comes back (frames, the close, the 101's connection id)
 * within a bounded wait. Styles the exchange itself shapes: `connection` (the value is thrown by
 * the connection handler, named in the path; nothing is sent), `emit` (an 'error' emitted on the
 * socket: the socket must stay up and answer an `echo` with `alive`), `client-closes` (the client
 * leaves with `leaveReason` while its message is still failing).
 */
import { WebSocket } from 'ws';

/** What came back for one exchange. */
export interface Got {
  connectionId: string;
  frames: string[];
  close?: { code: number; reason: string };
}

/** Exchanges `name` in `style` with the server on `port`; rejects after 10 s without a close. */
export function exchange(port: number, name: string, style: string, leaveReason = ''): Promise<Got> {
  return new Promise((resolve, reject) => {
    const path = style === 'connection' ? encodeURIComponent(name) : '';
    const client = new WebSocket(`ws://127.0.0.1:${port}/${path}`);
    const got: Got = { connectionId: '', frames: [] };
    client.once('upgrade', (response) => {
      got.connectionId = String(response.headers['x-request-id']);
    });
    const timer = setTimeout(() => {
      client.terminate();
      reject(new Error(`${style} ${name}: no answer in 10 s`));
    }, 10_000);
    client.on('message', (data) => {
      const text = String(data);
      if (text === 'ack') return;
      got.frames.push(text);
      if (style !== 'emit' || text === 'alive') client.close(1000);
    });
    client.once('close', (code, reason) => {
      clearTimeout(timer);
      got.close = { code, reason: String(reason) };
      resolve(got);
    });
    client.once('error', reject);
    client.once('open', () => {
      if (style === 'connection') return;
      client.send(JSON.stringify({ name, style }));
      if (style === 'client-closes') client.close(4000, leaveReason);
      // An emitted 'error' is recorded under the connection and the socket stays up: it must still echo.
      if (style === 'emit') setTimeout(() => client.send(JSON.stringify({ name: 'echo' })), 50);
    });
  });
}
