/**
 * A handler that fails after `reply.hijack()`: Fastify answers nothing on a hijacked reply (a
 * throw only warns "already sent", a rejection is logged raw), so the client waited forever and
 * Faultline recorded nothing. Now the fault is recorded under the request's id, and the client
 * gets Faultline's answer for it while the response's head has not left, or a destroyed socket
 * once it has. Hostile thrown values, the handler's own use of the hijacked response, and an error
 * handler that hijacks are covered too. Real server on 127.0.0.1; undici fetch and node:net.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { connect as connectH2 } from 'node:http2';
import { connect } from 'node:net';
import { createReporter } from '@faultline/core';
import { memoryLog, recordFor, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { errors, expectNoSecrets, postJsonH2 } from './helpers.js';

const SECRET = 'postgres://app:hunter2@10.0.4.12/shop';

/** Thrown values: an error, and hostile ones (no message to read, or one that throws when read). */
const THROWN: Record<string, () => unknown> = {
  error: () => new Error(`handler secret ${SECRET}`),
  string: () => `handler secret ${SECRET}`,
  null: () => null,
  getters: () => ({
    get message(): string {
      throw new Error(`getter ${SECRET}`);
    },
    get stack(): string {
      throw new Error(`getter ${SECRET}`);
    },
  }),
  proxy: () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error(`trap ${SECRET}`);
        },
        getPrototypeOf() {
          throw new Error(`trap ${SECRET}`);
        },
      },
    ),
};

/** Waits until `test` holds (the reporter writes asynchronously), for at most 2 s. */
/** GETs `path` over a raw socket: everything the server sent until it closed, or 'HUNG' after 2 s. */
function rawGet(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`HUNG ${text}`);
    }, 2000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
  });
}

/** Adds the failing routes under `/h` (sync throw, async rejection before and after an await). */
function addHijackRoutes(app: FastifyInstance): void {
  for (const [name, thrown] of Object.entries(THROWN)) {
    app.get(`/h/sync/${name}`, (_request, reply) => {
      reply.hijack();
      throw thrown();
    });
    app.get(`/h/async-now/${name}`, async (_request, reply) => {
      reply.hijack();
      throw thrown();
    });
    app.get(`/h/async-later/${name}`, async (_request, reply) => {
      await new Promise((r) => setTimeout(r, 5));
      reply.hijack();
      await new Promise((r) => setTimeout(r, 5));
      throw thrown();
    });
  }
}

describe.each([
  ['without', false],
  ['with', true],
])("a handler failing after reply.hijack(), %s a subscriber on Fastify's handler channel", (_name, subscribed) => {
  const log = memoryLog();
  const observer = () => {};
  let app: FastifyInstance;
  let base = '';
  let port = 0;

  beforeAll(async () => {
    if (subscribed) subscribe('tracing:fastify.request.handler:error', observer);
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    addHijackRoutes(app);
    app.get('/h/catalog', async (_request, reply) => {
      reply.hijack();
      await null;
      throw errors.ORDER_NOT_FOUND({ cause: new Error(SECRET) });
    });
    const headThenFail = (reply: FastifyReply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      reply.raw.write('partial ');
    };
    app.get('/h/head-sent/sync', (_request, reply) => {
      headThenFail(reply);
      throw new Error(`handler secret ${SECRET}`);
    });
    app.get('/h/head-sent/async', async (_request, reply) => {
      headThenFail(reply);
      await new Promise((r) => setTimeout(r, 5));
      throw new Error(`handler secret ${SECRET}`);
    });
    // Headers describing the handler's own body must not describe the problem body.
    app.get('/h/stale-headers', (_request, reply) => {
      reply.hijack();
      reply.raw.setHeader('content-encoding', 'gzip');
      reply.raw.setHeader('x-kept', 'yes');
      throw new Error(`handler secret ${SECRET}`);
    });
    app.get('/h/ended', async (_request, reply) => {
      reply.hijack();
      reply.raw.end('complete');
      await null;
      throw new Error(`handler secret ${SECRET}`);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (subscribed) unsubscribe('tracing:fastify.request.handler:error', observer);
    await app.close();
  });

  const cases = Object.keys(THROWN).flatMap((name) =>
    ['sync', 'async-now', 'async-later'].map((mode) => [`${mode}/${name}`] as const),
  );

  it.each(cases)('%s: Faultline answers, and records the fault under the id it sent', async (path) => {
    const response = await fetch(`${base}/h/${path}`, { signal: AbortSignal.timeout(3000) });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body.code).toBe('INTERNAL');
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
    expectNoSecrets(text, ['hunter2', 'trap', 'getter']);
    await until(() => recordFor(log.records, body.request_id) !== undefined);
    const record = recordFor(log.records, body.request_id);
    expect(record).toMatchObject({ code: 'INTERNAL', route: `/h/${path}`, method: 'GET' });
    expect(log.records.filter((r) => r.request_id === body.request_id)).toHaveLength(1);
  });

  it('answers a catalog error as it would without the hijack', async () => {
    const response = await fetch(`${base}/h/catalog`, { signal: AbortSignal.timeout(3000) });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(404);
    expect(body.code).toBe('ORDER_NOT_FOUND');
    await until(() => recordFor(log.records, body.request_id) !== undefined);
    expect(recordFor(log.records, body.request_id)).toMatchObject({ code: 'ORDER_NOT_FOUND' });
  });

  it.each(['sync', 'async'])(
    'head sent (%s): the socket is destroyed mid-body, and the fault recorded',
    async (mode) => {
      const before = log.records.length;
      const text = await rawGet(port, `/h/head-sent/${mode}`);
      expect(text.startsWith('HUNG')).toBe(false);
      // What had left (nothing, when the head was still buffered in the same tick), then the close:
      // never a complete chunked answer, never a second head.
      if (text !== '') expect(text).toMatch(/^HTTP\/1\.1 200 /);
      expect(text).not.toMatch(/\r\n0\r\n\r\n$/);
      expect(text.match(/HTTP\/1\.1/g)?.length ?? 0).toBeLessThanOrEqual(1);
      expectNoSecrets(text.slice(text.indexOf('\r\n\r\n') + 4), ['hunter2']);
      await until(() => log.records.slice(before).some((r) => r.route === `/h/head-sent/${mode}`));
      expect(log.records.slice(before).find((r) => r.route === `/h/head-sent/${mode}`)).toMatchObject({
        code: 'INTERNAL',
      });
    },
  );

  it('headers the handler set for its own body are dropped; the others stay, as on any error answer', async () => {
    const response = await fetch(`${base}/h/stale-headers`, { signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('x-kept')).toBe('yes');
    expect(((await response.json()) as Record<string, unknown>).code).toBe('INTERNAL');
  });

  it('a response the handler ended stays complete; the fault is still recorded', async () => {
    const before = log.records.length;
    const response = await fetch(`${base}/h/ended`, { signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('complete');
    await until(() => log.records.slice(before).some((r) => r.route === '/h/ended'));
    expect(log.records.slice(before).filter((r) => r.route === '/h/ended')).toHaveLength(1);
  });
});

describe('hijacked replies that do not fail, and hijacks on the error path', () => {
  const log = memoryLog();
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    app.get('/raw/sync', (_request, reply) => {
      reply.hijack();
      reply.raw.end('raw sync');
    });
    app.get('/raw/async', async (_request, reply) => {
      await null;
      reply.hijack();
      reply.raw.end('raw async');
    });
    // The handler's own `reply.send` after hijacking (Fastify warns; it is not a throw).
    app.get('/raw/send-after', (_request, reply) => {
      reply.hijack();
      reply.send(new Error(`not thrown ${SECRET}`));
      reply.raw.end('raw after send');
    });
    // An application error handler that answers on the raw response itself.
    app.get(
      '/error-handler-hijacks',
      {
        errorHandler: (_error, _request, reply) => {
          reply.hijack();
          reply.raw.writeHead(503, { 'content-type': 'text/plain' });
          reply.raw.end('own answer');
        },
      },
      async () => {
        await null;
        throw new Error(`handler secret ${SECRET}`);
      },
    );
    // Faultline's own second attempt (a failing onSend hook) writes through `reply.hijack()`.
    app.get(
      '/on-send-fails',
      {
        onSend: async () => {
          throw new Error(`onSend secret ${SECRET}`);
        },
      },
      async () => {
        await null;
        throw new Error(`handler secret ${SECRET}`);
      },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['/raw/sync', 'raw sync'],
    ['/raw/async', 'raw async'],
    ['/raw/send-after', 'raw after send'],
  ])('%s: the handler answers, and no fault is recorded', async (path, expected) => {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(expected);
    await new Promise((r) => setTimeout(r, 50));
    expect(log.records.filter((r) => r.route === path)).toEqual([]);
  });

  it("an error handler's hijack keeps its own answer; the handler's rejection is not recorded again", async () => {
    const response = await fetch(`${base}/error-handler-hijacks`, { signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('own answer');
    await new Promise((r) => setTimeout(r, 50));
    expect(log.records.filter((r) => r.route === '/error-handler-hijacks')).toEqual([]);
  });

  it("Faultline's second attempt records each failure once", async () => {
    const response = await fetch(`${base}/on-send-fails`, { signal: AbortSignal.timeout(3000) });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(500);
    await until(() => log.records.filter((r) => r.request_id === body.request_id).length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    // The handler's rejection and the onSend failure: two records, not a third from the hijack.
    expect(log.records.filter((r) => r.request_id === body.request_id)).toHaveLength(2);
  });
});

describe('a handler failing after reply.hijack(), over HTTP/2', () => {
  const log = memoryLog();
  let app: FastifyInstance;
  let session: ReturnType<typeof connectH2>;

  beforeAll(async () => {
    app = Fastify({ ...faultlineServerOptions(), http2: true } as object) as unknown as FastifyInstance;
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    addHijackRoutes(app);
    // Fails before reading the body: the answer waits for the upload to end (respond.ts), as any error answer.
    app.post('/h/upload', async (_request, reply) => {
      reply.hijack();
      throw new Error(`handler secret ${SECRET}`);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    session = connectH2(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`);
  });

  afterAll(async () => {
    session.close();
    await app.close();
  });

  /** GETs `path` on the session: status and body, or a rejection when no answer comes in 3 s. */
  const getH2 = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const stream = session.request({ ':method': 'GET', ':path': path });
      const timer = setTimeout(() => reject(new Error(`h2 ${path} hung`)), 3000);
      let status = 0;
      let body = '';
      stream.on('response', (headers) => {
        status = Number(headers[':status']);
      });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        body += chunk;
      });
      stream.on('end', () => {
        clearTimeout(timer);
        resolve({ status, body });
      });
      stream.on('error', reject);
      stream.end();
    });

  it.each(['/h/sync/error', '/h/async-now/string', '/h/async-later/proxy', 'upload'])(
    '%s: answered and recorded under the id sent',
    async (path) => {
      const answer =
        path === 'upload'
          ? await postJsonH2(session, '/h/upload', { upload: 'x'.repeat(20_000) }, {}, 3000)
          : await getH2(path);
      expect(answer.status).toBe(500);
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      expect(body.code).toBe('INTERNAL');
      expectNoSecrets(answer.body, ['hunter2', 'trap']);
      await until(() => recordFor(log.records, body.request_id) !== undefined);
      expect(recordFor(log.records, body.request_id)).toMatchObject({ code: 'INTERNAL' });
    },
  );
});

describe("another plugin's hijack decoration in a child scope, calling on to Faultline's", () => {
  const log = memoryLog();
  let app: FastifyInstance;
  const calls: string[] = [];

  beforeAll(async () => {
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    await app.register(async (child) => {
      const other = function hijack(this: FastifyReply): FastifyReply {
        calls.push('other');
        // The `hijack` behind this one, as a wrapping decoration would call it.
        let holder = Object.getPrototypeOf(this) as Record<string, unknown>;
        while (!Object.hasOwn(holder, 'hijack') || holder.hijack !== other) holder = Object.getPrototypeOf(holder);
        return (Object.getPrototypeOf(holder) as { hijack: () => FastifyReply }).hijack.call(this);
      };
      child.decorateReply('hijack', other);
      child.get('/wrapped', async (_request, reply) => {
        reply.hijack();
        await null;
        throw new Error('failed after a wrapped hijack');
      });
    });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
  });

  it('runs both, and the failure is answered and recorded as the handler threw it', async () => {
    const response = await app.inject({ method: 'GET', url: '/wrapped' });
    expect(response.statusCode).toBe(500);
    // The handler's hijack, and the one Faultline's direct write makes: no endless loop between the two.
    expect(calls).toEqual(['other', 'other']);
    const id = response.json<Record<string, unknown>>().request_id;
    await until(() => recordFor(log.records, id) !== undefined);
    expect(JSON.stringify(recordFor(log.records, id))).toContain('failed after a wrapped hijack');
  });
});
