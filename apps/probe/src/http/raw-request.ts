/**
 * One HTTP/1.1 exchange over a raw socket (TCP or TLS), so malformed requests (invalid UTF-8 and
 * percent-encoding, oversized headers and URLs) go out exactly as written. Reads until the server
 * closes or the time runs out; parses status, headers and a plain or chunked body.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Answer } from '../answer.js';

/** A request as bytes on the wire. */
export interface RawRequest {
  readonly method: string;
  /** Request target as written (may be invalid on purpose). */
  readonly path: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Where to send it. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** The answer, or `undefined` when the connection failed or nothing came back in time. */
export interface Exchange {
  readonly answer: Answer | undefined;
  /** Connection error code (ECONNREFUSED, ECONNRESET…), if any. */
  readonly error?: string;
}

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd === -1) break;
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size <= 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Parses a raw HTTP/1.1 response. */
export function parseResponse(raw: Buffer): Answer | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(headEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = decodeChunked(body);
  return { status, headers, body: body.subarray(0, 262_144).toString('utf8') };
}

/** Sends `request` to `endpoint` and returns what came back within `timeoutMs`. */
export function exchange(endpoint: Endpoint, request: RawRequest, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    let socket: Socket;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const answer = parseResponse(Buffer.concat(chunks));
      resolve(error !== undefined && answer === undefined ? { answer, error } : { answer });
    };
    const timer = setTimeout(() => finish(chunks.length === 0 ? 'ETIMEDOUT' : undefined), timeoutMs);
    const onConnect = () => {
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      let head = `${request.method} `;
      const lines = Object.entries({
        host: `${endpoint.host}:${endpoint.port}`,
        connection: 'close',
        ...(body === undefined ? {} : { 'content-length': String(body.length) }),
        ...request.headers,
      }).map(([name, value]) => `${name}: ${value}\r\n`);
      head = `${head}`;
      const path = typeof request.path === 'string' ? Buffer.from(request.path, 'latin1') : request.path;
      socket.write(Buffer.concat([Buffer.from(head), path, Buffer.from(` HTTP/1.1\r\n${lines.join('')}\r\n`)]));
      if (body !== undefined) socket.write(body, () => undefined);
    };
    socket = endpoint.tls
      ? tlsConnect(
          { host: endpoint.host, port: endpoint.port, rejectUnauthorized: false, servername: endpoint.host },
          onConnect,
        )
      : netConnect(endpoint.port, endpoint.host, onConnect);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (Buffer.concat(chunks).length > 1_048_576) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'EIO'));
  });
}
