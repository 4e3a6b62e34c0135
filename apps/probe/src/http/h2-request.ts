/**
 * One HTTP/2 exchange (h2c with prior knowledge, or h2 over TLS with ALPN) for the probes that
 * HTTP/2 can carry as written (its framing rejects invalid bytes in the path on the client side).
 */
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import type { Answer } from '../answer.js';
import type { Endpoint, Exchange, RawRequest } from './raw-request.js';

/** Opens a session to `endpoint`; resolves undefined when it cannot connect. */
export function openSession(endpoint: Endpoint, timeoutMs: number): Promise<ClientHttp2Session | undefined> {
  return new Promise((resolve) => {
    const scheme = endpoint.tls ? 'https' : 'http';
    const session = connect(
      `${scheme}://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`,
      { rejectUnauthorized: false },
    );
    const timer = setTimeout(() => {
      session.destroy();
      resolve(undefined);
    }, timeoutMs);
    session.once('connect', () => {
      clearTimeout(timer);
      resolve(session);
    });
    session.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/** Sends `request` on `session`; what came back within `timeoutMs`. */
export function exchangeH2(session: ClientHttp2Session, request: RawRequest, timeoutMs: number): Promise<Exchange> {
  const path = request.path;
  if (typeof path !== 'string') return Promise.resolve({ answer: undefined, error: 'UNSUPPORTED' });
  return new Promise((resolve) => {
    let stream: ReturnType<ClientHttp2Session['request']>;
    try {
      stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: request.method,
        [constants.HTTP2_HEADER_PATH]: path || '/',
        ...request.headers,
      });
    } catch (error) {
      resolve({ answer: undefined, error: (error as NodeJS.ErrnoException).code ?? 'EIO' });
      return;
    }
    const chunks: Buffer[] = [];
    let headers: Record<string, string> = {};
    let status = 0;
    const timer = setTimeout(() => finish(), timeoutMs);
    const finish = (error?: string) => {
      clearTimeout(timer);
      stream.close();
      const answer: Answer | undefined =
        status === 0
          ? undefined
          : { status, headers, body: Buffer.concat(chunks).subarray(0, 262_144).toString('utf8') };
      resolve(error !== undefined && answer === undefined ? { answer, error } : { answer });
    };
    stream.on('response', (h) => {
      status = Number(h[':status'] ?? 0);
      headers = Object.fromEntries(
        Object.entries(h)
          .filter(([k]) => !k.startsWith(':'))
          .map(([k, v]) => [k, String(v)]),
      );
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => finish());
    stream.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'EIO'));
    if (request.body !== undefined) stream.end(request.body);
    else stream.end();
  });
}
