/**
 * Helpers for the reply-stream tests: a real node:http client that reports an aborted response,
 * routes whose stream fails before or after the headers left, and the values they fail with.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The secrets the failing streams carry: no log line nor answer may show them. */
export const STREAM_SECRETS = ['hunter2pw', '10.0.4.12'];

/** An error whose message and stack carry a database URL and a password. */
export function secretError(): Error {
  return new Error('query failed on postgres://orders:hunter2pw@10.0.4.12:5432/shop password=hunter2pw');
}

/** Values a stream may fail with, named (each is built fresh for each request). */
export const HOSTILE: readonly [string, () => unknown][] = [
  ['an Error', secretError],
  [
    'a Proxy throwing on every read',
    () =>
      new Proxy(
        {},
        {
          get() {
            throw secretError();
          },
        },
      ),
  ],
  ['a string', () => 'stream failed: password=hunter2pw host 10.0.4.12'],
  [
    'an object with throwing getters',
    () => ({
      get message(): string {
        throw secretError();
      },
      get code(): string {
        throw secretError();
      },
    }),
  ],
  ['null', () => null],
];

/**
 * Fails `stream` with `value` as an application would: `destroy(value)`; a value `destroy`
 * cannot take (it reads `value.stack`, which may throw) is emitted as the stream's error.
 */
export function failWith(stream: Readable, value: unknown): void {
  try {
    stream.destroy(value as Error);
  } catch {
    stream.emit('error', value);
  }
}

/** A stream that fails with `make()` at once (before any byte: the headers have not left). */
export function failingAtOnce(make: () => unknown): Readable {
  return new Readable({
    read() {
      failWith(this, make());
    },
  });
}

/** A stream that sends one chunk, then fails with `make()` once the response has started. */
export function failingMidway(make: () => unknown, reply: FastifyReply): Readable {
  let reads = 0;
  const stream = new Readable({
    read() {
      if (reads++ === 0) {
        this.push('partial\n');
        return;
      }
      const fail = () => (reply.raw.headersSent ? failWith(stream, make()) : setTimeout(fail, 5));
      setTimeout(fail, 10);
    },
  });
  return stream;
}

/** A web ReadableStream that sends one chunk, then rejects its read with `make()`, once the response has started. */
export function webFailingMidway(make: () => unknown, reply: FastifyReply): ReadableStream<Uint8Array> {
  let pulls = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulls++ === 0) {
        controller.enqueue(new TextEncoder().encode('partial\n'));
        return;
      }
      return new Promise((_resolve, reject) => {
        const fail = () => (reply.raw.headersSent ? reject(make()) : setTimeout(fail, 5));
        setTimeout(fail, 10);
      });
    },
  });
}

/** A web ReadableStream whose first read rejects with `make()` (before any byte: the headers have not left). */
export function webFailingAtOnce(make: () => unknown): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull() {
      return Promise.reject(make());
    },
  });
}

/** The maker of `HOSTILE[n]` (an Error for an unknown index). */
function hostile(n: string): () => unknown {
  return HOSTILE[Number(n)]?.[1] ?? secretError;
}

/**
 * Adds `/before/:n` and `/after/:n` (Node streams), `/web-after/:n` (a web stream), and
 * `/response-before/:n` and `/response-after/:n` (a fetch `Response` whose body is a web stream),
 * failing with `HOSTILE[n]` before or after the headers left.
 */
export function addStreamRoutes(app: FastifyInstance): void {
  app.get<{ Params: { n: string } }>('/before/:n', async (request, reply) => {
    return reply.type('text/plain').send(failingAtOnce(hostile(request.params.n)));
  });
  app.get<{ Params: { n: string } }>('/after/:n', async (request, reply) => {
    return reply.type('text/plain').send(failingMidway(hostile(request.params.n), reply));
  });
  app.get<{ Params: { n: string } }>('/web-after/:n', async (request, reply) => {
    return reply.type('text/plain').send(webFailingMidway(hostile(request.params.n), reply));
  });
  app.get<{ Params: { n: string } }>('/response-before/:n', async (request) => {
    return new Response(webFailingAtOnce(hostile(request.params.n)), { headers: { 'content-type': 'text/plain' } });
  });
  app.get<{ Params: { n: string } }>('/response-after/:n', async (request, reply) => {
    const body = webFailingMidway(hostile(request.params.n), reply);
    return new Response(body, { status: 200, headers: { 'content-type': 'text/plain' } });
  });
}

/** What the client saw: status, headers, the body received, and whether the response was cut. */
export interface ClientView {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly aborted: boolean;
}

/** GETs `path` on 127.0.0.1:`port` with a fresh X-Request-ID (returned with the view). */
export function get(port: number, path: string): Promise<ClientView & { sentId: string }> {
  const sentId = randomUUID();
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { 'x-request-id': sentId } }, (res) => {
      let body = '';
      let aborted = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('aborted', () => {
        aborted = true;
      });
      res.on('error', () => {
        aborted = true;
      });
      res.on('close', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, aborted: aborted || !res.complete, sentId }),
      );
    });
    req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Throws when `text` carries a stream secret. */
export function expectNoStreamSecrets(text: string): void {
  for (const secret of STREAM_SECRETS) {
    if (text.includes(secret)) throw new Error(`leaks ${JSON.stringify(secret)}: ${text.slice(0, 600)}`);
  }
}
