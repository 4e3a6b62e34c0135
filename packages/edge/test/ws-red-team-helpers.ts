/**
 * Helpers of the WebSocket red-team tests: one raw exchange over plain TCP or TLS that ends as
 * soon as the answer is whole (a head with its `Content-Length` body, or the connection closed),
 * a TLS certificate for both gateways, an RFC 8441 handshake over HTTP/2, and a check that a
 * gateway still answers the next request.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as h2connect } from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { makeDrainCertificates } from '@faultline/testkit';

/** The sample key of RFC 6455 and its accept. */
export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The `Sec-WebSocket-Accept` that grants `key`. */
export const acceptOf = (key: string) =>
  createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

/** The key of a raw request head (empty when it has none). */
export const keyOf = (head: string) => /sec-websocket-key: *([^\r]*)/i.exec(head)?.[1] ?? '';

/** The handshake lines of a WebSocket request with {@link KEY}. */
export const HANDSHAKE = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n`;

/** A certificate for 127.0.0.1: its files for nginx, one PEM for HAProxy, the CA for clients. */
export interface TestCertificate {
  readonly certificate: string;
  readonly key: string;
  readonly pem: string;
  readonly ca: string;
}

/** Makes {@link TestCertificate} in a temp dir. */
export function makeCertificate(): TestCertificate {
  const dir = makeDrainCertificates().dir;
  const certificate = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const pem = join(dir, 'server-bundle.pem');
  writeFileSync(pem, `${readFileSync(certificate, 'utf8')}${readFileSync(key, 'utf8')}`);
  return { certificate, key, pem, ca: readFileSync(join(dir, 'ca.crt'), 'utf8') };
}

/**
 * The length of a whole answer in `text` (head and `Content-Length` body; a 101's head when
 * `upgraded`), or -1 while it is not whole.
 */
function wholeLength(text: string, upgraded: boolean): number {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return -1;
  if (upgraded && text.startsWith('HTTP/1.1 101 ')) return end + 4;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  return length === null ? -1 : end + 4 + Number(length[1]) <= text.length ? end + 4 + Number(length[1]) : -1;
}

/**
 * Writes `request` to 127.0.0.1:`port` (over TLS 1.3 with HTTP/1.1 when `ca` is given) and
 * resolves with what came back once the answer is whole (a head with a `Content-Length` and
 * its body; with `upgraded`, a 101's head) or the connection closed; `closed` tells which.
 * Destroyed after `timeoutMs`.
 */
export function exchange(
  port: number,
  request: string,
  options: { ca?: string | undefined; timeoutMs?: number; upgraded?: boolean } = {},
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket =
      options.ca === undefined
        ? tcpConnect(port, '127.0.0.1', () => socket.write(request, 'latin1'))
        : tlsConnect(
            { port, host: '127.0.0.1', ca: options.ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] },
            () => socket.write(request, 'latin1'),
          );
    let text = '';
    const done = (closed: boolean) => {
      socket.destroy();
      resolve({ text, closed });
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (wholeLength(text, options.upgraded === true) !== -1) done(false);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done(true));
    socket.setTimeout(options.timeoutMs ?? 5000, () => done(false));
  });
}

/** A GET of `path` answered by the gateway on a new connection: its status line. */
export async function nextStatusLine(port: number, path = '/api/next', ca?: string): Promise<string> {
  const { text } = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`, { ca });
  return text.split('\r\n')[0] ?? '';
}

/** What an RFC 8441 handshake (HTTP/2 `CONNECT` with `:protocol websocket`) got back. */
export interface ExtendedConnect {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * Sends an RFC 8441 WebSocket handshake for `path` over HTTP/2 (TLS) to 127.0.0.1:`port`; resolves
 * with the answer's headers and what came on the stream once it closed (closed by the client
 * on the answer's headers with `untilResponse`, else after `timeoutMs`), or with `undefined` when
 * the server does not allow extended CONNECT.
 */
export function extendedConnect(
  port: number,
  path: string,
  ca: string,
  options: { headers?: Record<string, string>; untilResponse?: boolean; timeoutMs?: number } = {},
): Promise<ExtendedConnect | undefined> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${port}`, { ca, servername: 'localhost' });
    session.on('error', reject);
    session.once('remoteSettings', (settings) => {
      if (settings.enableConnectProtocol !== true) {
        session.close();
        return resolve(undefined);
      }
      const stream = session.request({
        ':method': 'CONNECT',
        ':protocol': 'websocket',
        ':path': path,
        ':scheme': 'https',
        ':authority': 'localhost',
        'sec-websocket-version': '13',
        ...options.headers,
      });
      let headers: Record<string, string | string[] | undefined> = {};
      let body = '';
      const timer = setTimeout(() => stream.close(), options.timeoutMs ?? 5000);
      stream.on('response', (answer) => {
        headers = answer;
        if (options.untilResponse === true) stream.close();
      });
      stream.setEncoding('latin1');
      stream.on('data', (chunk: string) => {
        body += chunk;
      });
      stream.on('error', () => undefined);
      stream.on('close', () => {
        clearTimeout(timer);
        session.close();
        resolve({ headers, body });
      });
    });
  });
}
