/**
 * One HTTP/2 exchange (h2c with prior knowledge, or h2 over TLS with ALPN) for the probes that
 * HTTP/2 can carry as written (its framing rejects invalid bytes in the path on the client side).
 * Bounded like the HTTP/1.1 exchange: header count, body bytes (read to the end, head and tail kept,
 * at most {@link LIMITS}.readBytes), time, and the abort signal.
 */
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import { BodyReader, exchangeOf } from './body.js';
import { cutShort } from './cut-short.js';
import { addField } from './fields.js';
import { type Endpoint, type Exchange, type ExchangeOptions, LIMITS, type RawRequest } from './raw-request.js';

/** Fields from a header object (Node keeps only the first of some same-named fields). */
function fromObject(h: Readonly<Record<string, unknown>>): Record<string, string> {
  const fields = Object.entries(h).filter(([name]) => !name.startsWith(':'));
  return Object.fromEntries(
    fields.map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
  );
}

/** Fields from the raw name/value list: every value of every field, same-named ones joined with `, `. */
export function fromRaw(raw: readonly string[], into: Record<string, string> = {}): Record<string, string> {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    if (name.startsWith(':')) continue;
    const value = raw[i + 1] ?? '';
    addField(into, name, value);
  }
  return into;
}

/** Opens a session to `endpoint`; resolves undefined when it cannot connect in time. */
export function openSession(endpoint: Endpoint, options: ExchangeOptions): Promise<ClientHttp2Session | undefined> {
  return new Promise((resolve) => {
    if (options.signal?.aborted === true) {
      resolve(undefined);
      return;
    }
    const scheme = endpoint.tls ? 'https' : 'http';
    const session = connect(
      `${scheme}://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`,
      { rejectUnauthorized: false, maxHeaderListPairs: LIMITS.headers, maxSessionMemory: 16 },
    );
    const onAbort = () => session.destroy();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    session.once('close', () => options.signal?.removeEventListener('abort', onAbort));
    const timer = setTimeout(() => {
      session.destroy();
      resolve(undefined);
    }, options.timeoutMs);
    session.once('connect', () => {
      clearTimeout(timer);
      resolve(session);
    });
    session.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    session.once('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/** Sends `request` on `session`; what came back within the limit of time. */
export function exchangeH2(
  session: ClientHttp2Session,
  request: RawRequest,
  options: ExchangeOptions,
): Promise<Exchange> {
  const path = request.path;
  if (typeof path !== 'string') return Promise.resolve({ answer: undefined, outcome: 'closed', error: 'UNSUPPORTED' });
  return new Promise((resolve) => {
    let stream: ReturnType<ClientHttp2Session['request']>;
    try {
      stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: request.method,
        [constants.HTTP2_HEADER_PATH]: path || '/',
        // As curl and browsers send it for a body they hold whole (and the HTTP/1.1 client does):
        // a gateway passes such an upload on with its length, not chunked.
        ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }),
        ...request.headers,
      });
    } catch (error) {
      resolve({ answer: undefined, outcome: 'closed', error: (error as NodeJS.ErrnoException).code ?? 'EIO' });
      return;
    }
    let reader: BodyReader | undefined;
    let headers: Record<string, string> = {};
    let status = 0;
    let settled = false;
    /** The stream ended: the answer is whole. */
    let whole = false;
    const finish = (ended: 'end' | 'timeout' | 'aborted' | { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      stream.close(constants.NGHTTP2_CANCEL);
      if (status !== 0) {
        const body = reader ?? new BodyReader(headers);
        // Over the read limit, what arrived is checked, but it is not an answer.
        const over = body.overLimit;
        // A stream whose body did not end in time is checked, but it is not an answer (the target stalled).
        const cut = over !== undefined ? 'unparseable' : whole ? undefined : cutShort(ended, true);
        resolve(exchangeOf(body.finish(status, headers, undefined, ended === 'aborted'), cut, over));
      } else if (ended === 'timeout') resolve({ answer: undefined, outcome: 'timeout', error: 'ETIMEDOUT' });
      else if (ended === 'aborted') resolve({ answer: undefined, outcome: 'aborted' });
      else resolve({ answer: undefined, outcome: 'closed', ...(ended === 'end' ? {} : { error: ended.error }) });
    };
    const onAbort = () => finish('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
    /** The fields of interim (1xx) answers, named `103 link`: a client reads them too. */
    const interim: string[] = [];
    (stream as NodeJS.EventEmitter).on('headers', (h: Record<string, unknown>, _flags: number, raw?: string[]) => {
      const fields = Object.entries(raw === undefined ? fromObject(h) : fromRaw(raw));
      if (interim.length < 2 * LIMITS.headers)
        for (const [name, value] of fields) interim.push(`${String(h[':status'])} ${name}`, value);
    });
    // Node passes the raw name/value list third (its typings stop at two arguments).
    (stream as NodeJS.EventEmitter).on('response', (h: Record<string, unknown>, _flags: number, raw?: string[]) => {
      status = Number(h[':status'] ?? 0);
      headers = fromRaw(interim, raw === undefined ? fromObject(h) : fromRaw(raw));
    });
    // Trailers are read like header fields, added to them.
    (stream as NodeJS.EventEmitter).on('trailers', (h: Record<string, unknown>, _flags: number, raw?: string[]) => {
      fromRaw(raw ?? Object.entries(fromObject(h)).flat(), headers);
    });
    stream.on('data', (chunk: Buffer) => {
      reader ??= new BodyReader(headers);
      reader.push(chunk);
      if (reader.over) finish('end');
    });
    stream.on('end', () => {
      whole = true;
      finish('end');
    });
    stream.on('close', () => finish('end'));
    stream.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? 'EIO' }));
    if (request.body !== undefined) stream.end(request.body);
    else stream.end();
  });
}
