/**
 * One HTTP/1.1 exchange over a raw socket (TCP or TLS), so malformed requests (invalid UTF-8 and
 * percent-encoding, oversized headers and URLs) go out exactly as written. The answer is parsed as
 * it arrives and bounded: a head over {@link LIMITS}.headBytes or with more than
 * {@link LIMITS}.headers fields is unparseable; a body is read to its end, its head and tail kept
 * (see `BodyReader`), and one over {@link LIMITS}.readBytes is unparseable. The status line's
 * reason phrase and the fields of interim (1xx) answers are kept: a client can read them. An
 * obsolete line folding continues its field (RFC 9112 §5.2), and a head that cannot be parsed (or
 * an answer that is not HTTP) is still checked as text, so a parse error never masks a leak. The
 * exchange ends at the answer's end (one without a body: at the connection's close, or soon after),
 * the limit of time, or the abort signal, and the socket is destroyed every time. With `twice`, the
 * request is sent again on the same connection.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Answer } from '../answer.js';
import { exchangeOf } from './body.js';
import { Bytes } from './bytes.js';
import { cutShort, type Ended } from './cut-short.js';
import type { Endpoint, Exchange, ExchangeOptions, RawRequest } from './exchange.js';
import { LIMITS } from './exchange.js';
import { addField } from './fields.js';
import { H1Body } from './h1-body.js';
import { isInterim, MAX_INTERIM } from './interim.js';

export { type Endpoint, type Exchange, type ExchangeOptions, LIMITS, type RawRequest } from './exchange.js';

/**
 * How long the connection of an answer without a body (HEAD, 204, 304) is read on, unless it closes
 * first (the probe asks it to): a body sent anyway in a later packet is read, as a client reading the
 * connection reads it.
 */
const LINGER_MS = 250;

/** A LF not after a CR, a CR not before a LF (a CR last may be cut from its LF), a NUL. */
const BARE = /(?<!\r)\n|\r(?!\n|$)|\0/;

type Head =
  | { status: number; reason: string; headers: Record<string, string>; bodyStart: number }
  | { unparseable: string };

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
  const [, status, reason = ''] = /^HTTP\/1\.[01] ([1-5]\d\d)(?: (.*)|$)/.exec(statusLine) ?? [];
  if (status === undefined) return { unparseable: `status line ${JSON.stringify(statusLine.slice(0, 40))}` };
  const headers: Record<string, string> = {};
  let last: string | undefined;
  for (const line of fields) {
    // RFC 9112 §5.2: an obsolete line folding (a line that starts with a space or a tab) continues the
    // field before it, and a client reads it as one space: the text after it is that field's too.
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      headers[last] = `${headers[last] ?? ''} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return { unparseable: `header line ${JSON.stringify(line.slice(0, 40))}` };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // Every field is kept: same-named fields are one list (RFC 9110 §5.3), a leak in the first is seen.
    addField(headers, name, value);
    last = name;
  }
  const lengths = new Set(headers['content-length']?.split(',').map((length) => length.trim()));
  if (lengths.size > 1) return { unparseable: 'conflicting Content-Length fields' };
  // RFC 9110 §8.6: Content-Length is digits only; a client rejects `-5` or `1e3` (never reads the body).
  if ([...lengths].some((length) => !/^\d+$/.test(length ?? ''))) return { unparseable: 'an invalid Content-Length' };
  if (lengths.size === 1) headers['content-length'] = [...lengths][0] ?? '';
  return { status: Number(status), reason: reason.trim(), headers, bodyStart: end + 4 };
}

/**
 * What a client could still read of an answer that is not HTTP or whose head cannot be parsed: its
 * first {@link LIMITS}.headBytes as text, without status or fields (none of them is trusted).
 */
function unparsed(raw: Buffer): Answer {
  return { status: 0, headers: {}, body: raw.subarray(0, LIMITS.headBytes).toString('utf8') };
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
    /** Interim (1xx) answers skipped so far, and their fields (named `103 link`: read, not skipped). */
    let interim = 0;
    let interimFields: Record<string, string> = {};
    /** With `twice`: the first answer, once it is whole, and whether the request is still to be sent again. */
    let first: H1Body | undefined;
    let again = options.twice === true;
    const started = Date.now();
    /** A connection kept open but never answering the second request: the first answer is the answer. */
    let second: NodeJS.Timeout | undefined;
    /** An answer without a body is in: the connection is read on (see {@link LINGER_MS}). */
    let linger: NodeJS.Timeout | undefined;
    const bodiless = request.method === 'HEAD';
    let socket: Socket | undefined;
    /** The final answer's body, once its head has arrived. */
    let body: H1Body | undefined;
    /** Why the head cannot be read, if it cannot. */
    let failed: { unparseable: string } | undefined;
    const finish = (ended: Ended) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(second);
      clearTimeout(linger);
      options.signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      // The connection ended before a second answer began: the first is the answer.
      if (body === undefined && first !== undefined && failed === undefined) body = first;
      // The final answer's body, framed as its head says, is decoded once, here.
      const head: { unparseable: string } | undefined =
        interim > MAX_INTERIM ? { unparseable: `more than ${MAX_INTERIM} interim (1xx) answers` } : failed;
      const decoded = head ?? body?.finish(ended === 'aborted');
      // Over the read limit or with broken framing, what arrived is checked, but it is not an answer.
      const broken = body?.broken;
      // A body that did not end (the target stalled or closed mid-body) is checked but not an answer.
      const cut =
        body === undefined || body.head.status === 101 || (body.complete && broken === undefined)
          ? undefined
          : broken !== undefined
            ? 'unparseable'
            : cutShort(ended, body.framed);
      const result = decoded === undefined ? undefined : exchangeOf(decoded, cut, broken);
      // A head that cannot be parsed is still checked as text: a parse error does not mask its leak.
      if (result !== undefined)
        resolve(
          result.answer === undefined && head !== undefined ? { ...result, answer: unparsed(bytes.view) } : result,
        );
      else if (ended === 'aborted') resolve({ answer: undefined, outcome: 'aborted' });
      else if (ended === 'timeout')
        // A head begun but never ended (the target stalled in it): what came is checked, not answered.
        resolve({
          answer: bytes.view.length > 0 ? unparsed(bytes.view) : undefined,
          outcome: 'timeout',
          error: 'ETIMEDOUT',
        });
      else if (ended === 'end')
        resolve(
          bytes.view.length > 0
            ? { answer: unparsed(bytes.view), outcome: 'unparseable' }
            : { answer: undefined, outcome: 'closed' },
        );
      else {
        const refused = ended.error === 'ECONNREFUSED';
        resolve({ answer: undefined, outcome: refused ? 'refused' : 'closed', error: ended.error });
      }
    };
    const onAbort = () => finish('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
    const send = () => {
      const payload = request.body === undefined ? undefined : Buffer.from(request.body);
      const old = request.http10 === true;
      const lines = Object.entries({
        ...(old
          ? {}
          : { host: `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}` }),
        ...(old ? {} : { connection: again ? 'keep-alive' : 'close' }),
        ...(payload === undefined ? {} : { 'content-length': String(payload.length) }),
        ...request.headers,
      }).map(([name, value]) => `${name}: ${value}\r\n`);
      const path = typeof request.path === 'string' ? Buffer.from(request.path, 'latin1') : request.path;
      const head = Buffer.concat([
        Buffer.from(`${request.method} `),
        path,
        Buffer.from(` HTTP/1.${old ? 0 : 1}\r\n${lines.join('')}\r\n`),
      ]);
      socket?.write(payload === undefined ? head : Buffer.concat([head, payload]), () => undefined);
    };
    const onConnect = send;
    /** The answer's body ended: send the request again on the same connection when asked to and it stays open, else finish. */
    const answered = (done: H1Body) => {
      const reusable = done.complete && done.broken === undefined && !/close/i.test(done.head.headers.connection ?? '');
      if (done.head.status !== 101 && done.bodiless && !(again && reusable)) {
        linger ??= setTimeout(() => finish('end'), LINGER_MS);
        return;
      }
      if (!again || done.head.status === 101 || !reusable) return finish('end');
      again = false;
      first = done;
      body = undefined;
      interim = 0;
      interimFields = {};
      bytes.drop(bytes.view.length);
      send();
      // As long again as the first answer took, twice, and at least 250 ms: then its head must have begun.
      second = setTimeout(() => bytes.view.length === 0 && finish('end'), Math.max(250, 2 * (Date.now() - started)));
    };
    socket = endpoint.tls
      ? tlsConnect(
          { host: endpoint.host, port: endpoint.port, rejectUnauthorized: false, servername: endpoint.host },
          onConnect,
        )
      : netConnect(endpoint.port, endpoint.host, onConnect);
    socket.on('data', (chunk: Buffer) => {
      if (body !== undefined) {
        body.push(chunk);
        if (body.done && linger === undefined) answered(body);
        return;
      }
      bytes.append(chunk);
      for (;;) {
        const received = bytes.view;
        const head = parseHead(received);
        if (head === undefined) return;
        if ('unparseable' in head) {
          failed = head;
          finish('end');
        } else if (isInterim(head.status)) {
          // An interim answer: the real one follows (every one in this chunk is skipped, a bounded number).
          interim += 1;
          for (const [name, value] of Object.entries(head.headers))
            addField(interimFields, `${head.status} ${name}`, value);
          if (interim > MAX_INTERIM) finish('end');
          else {
            bytes.drop(head.bodyStart);
            continue;
          }
        } else {
          body = new H1Body(head, bodiless, interimFields);
          // What followed the head in this packet is the body's start (copied: the store is the head's).
          body.push(Buffer.from(received.subarray(head.bodyStart)));
          if (head.status === 101 || body.done) answered(body);
        }
        return;
      }
    });
    socket.on('end', () => finish('end'));
    socket.on('close', () => finish('end'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? 'EIO' }));
  });
}
