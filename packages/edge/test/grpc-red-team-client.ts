/**
 * A hostile HTTP/2 client for the red-team tests, on `node:http2`: any pseudo-header, content type
 * or method, a body of any size, and bytes node refuses to send (CR, LF, NUL in a header value)
 * put on the wire by swapping a placeholder in the frames node writes (its HPACK encoder sends a
 * value with obs-text bytes as a plain literal: their Huffman code is longer).
 */
import { connect as http2Connect, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

/** Where to connect: h2c, or TLS (ALPN h2) trusting `ca`. */
export interface Target {
  readonly port: number;
  readonly ca?: string | undefined;
}

/** One request. */
export interface H2Request {
  readonly headers: OutgoingHttpHeaders;
  /** Sent, then the stream ended (unless `reset`). */
  readonly body?: Buffer;
  /** Bytes written in place of `substitute[0]` (same length) in every frame the client sends. */
  readonly substitute?: readonly [Buffer, Buffer];
  /** Reset the stream (RST_STREAM CANCEL) once this settles (the body sent, the stream not ended). */
  readonly resetWhen?: Promise<unknown>;
  /** Give up (and report) after this long (default 5 s). */
  readonly timeoutMs?: number;
}

/** What came back: the response headers, the trailers, the data, or how the stream ended without them. */
export interface H2Result {
  /** The interim (1xx) headers received before the answer. */
  readonly interim: readonly IncomingHttpHeaders[];
  readonly headers?: IncomingHttpHeaders | undefined;
  /** True when the headers ended the stream (a trailers-only answer). */
  readonly headersOnly: boolean;
  readonly trailers?: IncomingHttpHeaders | undefined;
  readonly data: Buffer;
  /** The RST_STREAM code, when the stream was reset by the peer. */
  readonly rstCode?: number;
  readonly error?: string;
  readonly timedOut: boolean;
}

/** A duplex in front of `socket` writing `to` in place of `from` (same length) in what goes out. */
function substituting(socket: Socket, from: Buffer, to: Buffer): Duplex {
  const duplex = new Duplex({
    write(chunk: Buffer, _encoding, done) {
      let out = Buffer.from(chunk);
      for (let at = out.indexOf(from); at !== -1; at = out.indexOf(from, at + to.length)) {
        out = Buffer.concat([out.subarray(0, at), to, out.subarray(at + from.length)]);
      }
      socket.write(out, done);
    },
    read() {
      socket.resume();
    },
    final(done) {
      socket.end(done);
    },
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('error', (error) => duplex.destroy(error));
  return duplex;
}

/** Connects to `target` (TLS with ALPN h2 when a CA is given). */
function socketTo(target: Target): Socket {
  return target.ca === undefined
    ? netConnect(target.port, '127.0.0.1')
    : tlsConnect({
        host: '127.0.0.1',
        port: target.port,
        ca: target.ca,
        servername: 'localhost',
        ALPNProtocols: ['h2'],
      });
}

/** Sends one request on a fresh HTTP/2 connection and collects the answer. */
export function h2Exchange(target: Target, request: H2Request): Promise<H2Result> {
  const scheme = request.substitute === undefined && target.ca !== undefined ? 'https' : 'http';
  const session = http2Connect(`${scheme}://localhost:${target.port}`, {
    maxHeaderListPairs: 4096,
    createConnection: () => {
      const socket = socketTo(target);
      return request.substitute === undefined ? socket : substituting(socket, ...request.substitute);
    },
  });
  session.on('error', () => undefined);
  return new Promise((resolve) => {
    const interim: IncomingHttpHeaders[] = [];
    let headers: IncomingHttpHeaders | undefined;
    let headersOnly = false;
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (extra: Partial<H2Result> = {}) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve({ interim, headers, headersOnly, trailers, data: Buffer.concat(chunks), timedOut: false, ...extra });
    };
    const timer = setTimeout(() => finish({ timedOut: true }), request.timeoutMs ?? 5000);
    let stream: ReturnType<typeof session.request>;
    try {
      stream = session.request(request.headers, { endStream: false });
    } catch (error) {
      finish({ error: String(error) });
      return;
    }
    stream.on('response', (received, flags) => {
      headers = received;
      headersOnly = (flags & 1) === 1;
    });
    stream.on('headers', (received) => interim.push(received));
    stream.on('trailers', (received) => {
      trailers = received;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => finish({ error: error.message, rstCode: stream.rstCode }));
    stream.on('close', () =>
      finish(stream.rstCode !== 0 && stream.rstCode !== undefined ? { rstCode: stream.rstCode } : {}),
    );
    if (request.resetWhen === undefined) stream.end(request.body);
    else {
      if (request.body !== undefined) stream.write(request.body);
      void request.resetWhen.then(() => stream.close(8));
    }
  });
}

/** The headers of a gRPC call to `path` (POST, `application/grpc`, `te: trailers`), with `more` over them. */
export function grpcHeaders(path: string, more: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return {
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...more,
  };
}
