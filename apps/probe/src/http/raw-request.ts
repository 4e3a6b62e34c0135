/**
 * One HTTP/1.1 exchange over a raw socket (TCP or TLS), so malformed requests (invalid UTF-8 and
 * percent-encoding, oversized headers and URLs) go out exactly as written. The answer is parsed as
 * it arrives and bounded: a head over {@link LIMITS}.headBytes or with more than
 * {@link LIMITS}.headers fields is unparseable, a body is cut at {@link LIMITS}.bodyBytes. The
 * exchange ends at the answer's end, the limit of time, or the abort signal, and the socket is
 * destroyed every time.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Answer } from '../answer.js';
import { Bytes } from './bytes.js';
import { decodeChunked, mayHaveEnded } from './chunked.js';
import { cutShort, type Ended } from './cut-short.js';
import { type Decoded, decodeAnswer } from './decode.js';
import type { Endpoint, Exchange, ExchangeOptions, RawRequest } from './exchange.js';
import { LIMITS } from './exchange.js';
import { addField } from './fields.js';
import { isInterim, MAX_INTERIM } from './interim.js';

export { type Endpoint, type Exchange, type ExchangeOptions, LIMITS, type RawRequest } from './exchange.js';

/** A LF not after a CR, a CR not before a LF (a CR last may be cut from its LF), a NUL. */
const BARE = /(?<!\r)\n|\r(?!\n|$)|\0/;

type Head = { status: number; headers: Record<string, string>; bodyStart: number } | { unparseable: string };

/** Parses the head of `raw` when it is complete; undefined while more is needed. */
export function parseHead(raw: Buffer): Head | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.subarray(0, end);
  const text = head.toString('latin1');
  // RFC 9112 §2.2 and §5.5: a bare CR, a bare LF or a NUL in a field is rejected, never a line end
  // in one place and field text in another (a value could otherwise forge fields or a report line).
  const bare = BARE.exec(text);
  if (bare !== null)
    return { unparseable: `a bare ${bare[0] === '\n' ? 'LF' : bare[0] === '\r' ? 'CR' : 'NUL'} in the head` };
  const lines = text.split('\r\n');
  if (lines.length - 1 > LIMITS.headers) return { unparseable: `more than ${LIMITS.headers} header fields` };
  if (end === -1) {
    if (raw.length > LIMITS.headBytes) return { unparseable: `a head over ${LIMITS.headBytes} bytes` };
    if (raw.length >= 5 && !raw.subarray(0, 5).equals(Buffer.from('HTTP/'))) return { unparseable: 'not HTTP' };
    return undefined;
  }
  if (end > LIMITS.headBytes) return { unparseable: `a head over ${LIMITS.headBytes} bytes` };
  const [statusLine = '', ...fields] = lines;
  const status = /^HTTP\/1\.[01] ([1-5]\d\d)(?: |$)/.exec(statusLine)?.[1];
  if (status === undefined) return { unparseable: `status line ${JSON.stringify(statusLine.slice(0, 40))}` };
  const headers: Record<string, string> = {};
  for (const line of fields) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { unparseable: `header line ${JSON.stringify(line.slice(0, 40))}` };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // Every field is kept: same-named fields are one list (RFC 9110 §5.3), a leak in the first is seen.
    addField(headers, name, value);
  }
  const lengths = new Set(headers['content-length']?.split(',').map((length) => length.trim()));
  if (lengths.size > 1) return { unparseable: 'conflicting Content-Length fields' };
  // RFC 9110 §8.6: Content-Length is digits only; a client rejects `-5` or `1e3` (never reads the body).
  if ([...lengths].some((length) => !/^\d+$/.test(length ?? ''))) return { unparseable: 'an invalid Content-Length' };
  if (lengths.size === 1) headers['content-length'] = [...lengths][0] ?? '';
  return { status: Number(status), headers, bodyStart: end + 4 };
}

/** Parses a complete raw HTTP/1.1 response (bounded as an exchange is); undefined when it is not one. */
export function parseResponse(raw: Buffer): Answer | undefined {
  const head = parseHead(raw);
  if (head === undefined || 'unparseable' in head) return undefined;
  const decoded = toAnswer(head, raw.subarray(head.bodyStart)).decoded;
  return 'answer' in decoded ? decoded.answer : undefined;
}

/** RFC 9110 §9.3.2, §15.3.5, §15.4.5: an answer to HEAD, a 204 and a 304 have no body, whatever their fields say. */
function noBody(status: number, head: boolean): boolean {
  return head || status === 204 || status === 304;
}

function toAnswer(
  head: { status: number; headers: Record<string, string> },
  rest: Buffer,
  bodiless = false,
): { readonly decoded: Decoded; readonly complete: boolean } {
  let body = rest;
  let complete = false;
  let trailers: Record<string, string> = {};
  if (noBody(head.status, bodiless)) ({ body, complete } = { body: Buffer.alloc(0), complete: true });
  else if (/chunked/i.test(head.headers['transfer-encoding'] ?? ''))
    ({ data: body, complete, trailers } = decodeChunked(rest));
  else if (head.headers['content-length'] !== undefined) {
    const length = Number(head.headers['content-length']);
    complete = Number.isFinite(length) && rest.length >= length;
    if (complete) body = rest.subarray(0, length);
  }
  const done = complete || rest.length >= LIMITS.bodyBytes;
  // Decoded only once the answer is complete (or the exchange ends): the check on each chunk is cheap.
  let decoded: Decoded | undefined;
  return {
    get decoded() {
      if (decoded !== undefined) return decoded;
      decoded = decodeAnswer(head.status, head.headers, body.subarray(0, LIMITS.bodyBytes), LIMITS.bodyBytes);
      // Trailer fields are read like header fields (same-named ones joined), after the body is decoded.
      if ('answer' in decoded && Object.keys(trailers).length > 0) {
        const headers = { ...head.headers };
        for (const [name, value] of Object.entries(trailers)) addField(headers, name, value);
        decoded = { answer: { ...decoded.answer, headers } };
      }
      return decoded;
    },
    complete: done,
  };
}

/** True when `headers` say where the body ends (Content-Length or chunked), not at the connection's close. */
function framed(headers: Readonly<Record<string, string>>): boolean {
  return headers['content-length'] !== undefined || /chunked/i.test(headers['transfer-encoding'] ?? '');
}

/** False when the answer cannot have ended with the last `added` bytes (a chunked body below the limit without its end). */
function mayEnd(
  head: { status: number; headers: Record<string, string>; bodyStart: number },
  received: Buffer,
  added: number,
  bodiless: boolean,
): boolean {
  if (noBody(head.status, bodiless) || !/chunked/i.test(head.headers['transfer-encoding'] ?? '')) return true;
  const rest = received.length - head.bodyStart;
  return rest >= LIMITS.bodyBytes || mayHaveEnded(received.subarray(head.bodyStart), Math.min(added, rest));
}

/** Sends `request` to `endpoint`; what came back within the limit of time, bounded in bytes. */
export function exchange(endpoint: Endpoint, request: RawRequest, options: ExchangeOptions): Promise<Exchange> {
  return new Promise((resolve) => {
    if (options.signal?.aborted === true) {
      resolve({ answer: undefined, outcome: 'aborted' });
      return;
    }
    const bytes = new Bytes();
    let settled = false;
    /** Interim (1xx) answers skipped so far. */
    let interim = 0;
    const bodiless = request.method === 'HEAD';
    let socket: Socket | undefined;
    const finish = (ended: Ended) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      const received = bytes.view;
      const parsed = parseHead(received);
      // Past the interim limit, or ended on an interim answer: no final answer came.
      const head =
        interim > MAX_INTERIM
          ? { unparseable: `more than ${MAX_INTERIM} interim (1xx) answers` }
          : parsed !== undefined && 'status' in parsed && isInterim(parsed.status)
            ? undefined
            : parsed;
      const read = head === undefined || 'unparseable' in head ? undefined : head;
      const whole = read === undefined ? undefined : toAnswer(read, received.subarray(read.bodyStart), bodiless);
      const decoded = whole === undefined ? (head as { unparseable: string } | undefined) : whole.decoded;
      // A body that did not end (the target stalled or closed mid-body) is checked but not an answer.
      const cut =
        read === undefined || whole?.complete === true || read.status === 101
          ? undefined
          : cutShort(ended, framed(read.headers));
      if (decoded !== undefined && 'answer' in decoded)
        resolve(
          cut === undefined
            ? { answer: decoded.answer, outcome: 'answered' }
            : { answer: decoded.answer, outcome: cut, error: 'a body cut short' },
        );
      else if (decoded !== undefined)
        resolve({ answer: undefined, outcome: 'unparseable', error: decoded.unparseable });
      else if (ended === 'aborted') resolve({ answer: undefined, outcome: 'aborted' });
      else if (ended === 'timeout') resolve({ answer: undefined, outcome: 'timeout', error: 'ETIMEDOUT' });
      else if (ended === 'end') resolve({ answer: undefined, outcome: received.length > 0 ? 'unparseable' : 'closed' });
      else {
        const refused = ended.error === 'ECONNREFUSED';
        resolve({ answer: undefined, outcome: refused ? 'refused' : 'closed', error: ended.error });
      }
    };
    const onAbort = () => finish('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
    const onConnect = () => {
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const lines = Object.entries({
        host: `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`,
        connection: 'close',
        ...(body === undefined ? {} : { 'content-length': String(body.length) }),
        ...request.headers,
      }).map(([name, value]) => `${name}: ${value}\r\n`);
      const path = typeof request.path === 'string' ? Buffer.from(request.path, 'latin1') : request.path;
      const head = Buffer.concat([
        Buffer.from(`${request.method} `),
        path,
        Buffer.from(` HTTP/1.1\r\n${lines.join('')}\r\n`),
      ]);
      socket?.write(body === undefined ? head : Buffer.concat([head, body]), () => undefined);
    };
    socket = endpoint.tls
      ? tlsConnect(
          { host: endpoint.host, port: endpoint.port, rejectUnauthorized: false, servername: endpoint.host },
          onConnect,
        )
      : netConnect(endpoint.port, endpoint.host, onConnect);
    socket.on('data', (chunk: Buffer) => {
      bytes.append(chunk);
      for (;;) {
        const received = bytes.view;
        const head = parseHead(received);
        if (head === undefined) return;
        if ('unparseable' in head) finish('end');
        else if (isInterim(head.status)) {
          // An interim answer: the real one follows (every one in this chunk is skipped, a bounded number).
          interim += 1;
          if (interim > MAX_INTERIM) finish('end');
          else {
            bytes.drop(head.bodyStart);
            continue;
          }
        } else if (
          head.status === 101 ||
          (mayEnd(head, received, chunk.length, bodiless) &&
            toAnswer(head, received.subarray(head.bodyStart), bodiless).complete)
        )
          finish('end');
        return;
      }
    });
    socket.on('end', () => finish('end'));
    socket.on('close', () => finish('end'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? 'EIO' }));
  });
}
