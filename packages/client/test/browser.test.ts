/**
 * The browser entry in a real browser: Debian's headless Chromium loads the built client (ES
 * modules, with an import map for the taxonomy package), calls a real Faultline Fastify server with
 * fetch (problem JSON, JSON:API, an oversized body, a body that stalls, a message with ANSI
 * escapes), decodes WebSocket closes and frames as browsers
 * hand them over (strings, bytes), and posts the faults back to the server. The test waits for
 * that post (bounded), then ends the Chromium it started (its process group, by id).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCatalog } from '@faultline/core';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const clientDist = fileURLToPath(new URL('../dist/', import.meta.url));
const taxonomyDist = fileURLToPath(new URL('../../taxonomy/dist/', import.meta.url));
const errors = defineCatalog({
  BROWSER_CART_EXPIRED: { category: 'precondition_failed', message: 'The cart expired.' },
});

const PAGE = `<!doctype html>
<html><head>
<script type="importmap">{"imports":{"@faultline/taxonomy":"/taxonomy/index.js"}}</script>
<script>
  const post = (body) => fetch('/result', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  addEventListener('error', (event) => post(JSON.stringify({ error: String(event.message) })));
</script>
<script type="module">
  import { decodeFault, decodeWsFault } from '/client/index.js';
  const out = {};
  const response = await fetch('/raise', { headers: { 'x-request-id': '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60' } });
  out.http = await decodeFault(response);
  out.proxy = await decodeFault(new Response('<html>502 Bad Gateway</html>', { status: 502 }));
  out.ws = decodeWsFault({ code: 1013, reason: 'UNAVAILABLE 3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60' });
  out.wsBytes = decodeWsFault({ code: 4409, reason: new TextEncoder().encode('CONFLICT 3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60') });
  out.wsBinary = decodeWsFault(new TextEncoder().encode('{"error":{"status":409,"code":"SEAT_TAKEN"}}').buffer);
  out.jsonapi = await decodeFault(await fetch('/jsonapi'));
  out.huge = await decodeFault(await fetch('/huge'));
  out.stalled = await decodeFault(await fetch('/stalled'), undefined, { timeoutMs: 300 });
  out.ansi = await decodeFault(await fetch('/ansi'));
  await post(JSON.stringify(out));
</script></head><body></body></html>`;

let app: FastifyInstance;
let base = '';
let stalledClosedEarly: Promise<boolean> = Promise.resolve(false);
/** Whether the stalled body's connection was closed by the page (waited for up to 2 s once it posted, before Chromium is ended). */
let stalledCancelled: boolean | 'not yet' = 'not yet';
let posted: (result: Record<string, Record<string, unknown>>) => void;
const result = new Promise<Record<string, Record<string, unknown>>>((resolve) => {
  posted = resolve;
});
beforeAll(async () => {
  app = Fastify({ ...faultlineServerOptions(), logger: false }) as unknown as FastifyInstance;
  await app.register(faultline, { reporter: false });
  app.post('/result', async (request) => {
    const late = new Promise<'not yet'>((resolve) => setTimeout(() => resolve('not yet'), 2000).unref());
    stalledCancelled = await Promise.race([stalledClosedEarly, late]);
    posted(request.body as Record<string, Record<string, unknown>>);
    return {};
  });
  app.get('/page.html', async (_request, reply) => reply.type('text/html').send(PAGE));
  app.get<{ Params: { '*': string } }>('/client/*', async (request, reply) => {
    const file = request.params['*'];
    if (!/^([\w-]+\/)?[\w-]+\.js$/.test(file)) throw errors.BROWSER_CART_EXPIRED();
    return reply.type('text/javascript').send(readFileSync(join(clientDist, file)));
  });
  app.get('/jsonapi', async (_request, reply) =>
    reply
      .code(409)
      .type('application/vnd.api+json')
      .send({
        errors: [{ id: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60', status: '409', code: 'SEAT_TAKEN', detail: 'Taken.' }],
      }),
  );
  // A 2 MB detail: the browser's stream reader stops at the bound.
  app.get('/huge', async (_request, reply) =>
    reply
      .code(400)
      .type('application/problem+json')
      .send(`{"code":"SEAT_TAKEN","detail":"${'x'.repeat(2 * 1024 * 1024)}"}`),
  );
  // A body that never ends: the page's decodeFault gives up after 300 ms and cancels it.
  app.get('/stalled', (_request, reply) => {
    reply.hijack();
    stalledClosedEarly = new Promise((resolve) => reply.raw.on('close', () => resolve(!reply.raw.writableFinished)));
    reply.raw.writeHead(503, { 'content-type': 'application/problem+json' });
    reply.raw.write('{"code":"UNAVAILABLE",');
  });
  app.get('/ansi', async (_request, reply) =>
    reply.code(409).type('application/problem+json').send({ code: 'SEAT_TAKEN', detail: '\u001b[2Jpwned\r\nX: y' }),
  );
  app.get<{ Params: { '*': string } }>('/taxonomy/*', async (request, reply) => {
    const file = request.params['*'];
    if (!/^[\w-]+\.js$/.test(file)) throw errors.BROWSER_CART_EXPIRED();
    return reply.type('text/javascript').send(readFileSync(join(taxonomyDist, file)));
  });
  app.get('/raise', async () => {
    throw errors.BROWSER_CART_EXPIRED();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app.close();
});

/** Resolves with the page's result, or rejects after `ms` (the page never posted). */
function resultWithin(ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Chromium posted no result within ${ms} ms`)), ms);
  });
  return Promise.race([result, timeout]).finally(() => clearTimeout(timer));
}

/** Ends the Chromium this test started: its process group, by id, then waits (bounded) for it to exit. */
async function stop(chromium: ChildProcess) {
  if (chromium.exitCode !== null || chromium.pid === undefined) return;
  const exited = new Promise((resolve) => chromium.once('exit', resolve));
  try {
    process.kill(-chromium.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (chromium.exitCode === null && chromium.signalCode === null) process.kill(-chromium.pid, 'SIGKILL');
}

describe('browser entry in headless Chromium', () => {
  it('decodes real problem and JSON:API responses, a proxy page, an oversized body and closes, with no Node-only import', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'faultline-chromium-'));
    const chromium = spawn(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        `${base}/page.html`,
      ],
      { stdio: 'ignore', detached: true },
    );
    let decoded: Record<string, Record<string, unknown>>;
    try {
      decoded = await resultWithin(60_000);
    } finally {
      await stop(chromium);
      rmSync(profile, { recursive: true, force: true });
    }
    expect(decoded.error).toBeUndefined();
    expect(decoded.http).toMatchObject({
      protocol: 'http',
      format: 'problem',
      status: 412,
      category: 'precondition_failed',
      code: 'BROWSER_CART_EXPIRED',
      requestId: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60',
      conforming: true,
      retryable: false,
    });
    expect(decoded.proxy).toMatchObject({ status: 502, category: 'bad_gateway', conforming: false, retryable: true });
    expect(decoded.ws).toMatchObject({ category: 'unavailable', code: 'UNAVAILABLE', retryable: true });
    expect(decoded.wsBytes).toMatchObject({ category: 'conflict', format: 'close-reason', conforming: true });
    expect(decoded.wsBinary).toMatchObject({ category: 'conflict', code: 'SEAT_TAKEN', format: 'envelope' });
    expect(decoded.jsonapi).toMatchObject({
      format: 'jsonapi',
      code: 'SEAT_TAKEN',
      category: 'conflict',
      message: 'Taken.',
    });
    expect(decoded.huge).toMatchObject({ format: 'unknown', conforming: false, status: 400 });
    expect(decoded.stalled).toMatchObject({ format: 'unknown', conforming: false, status: 503, code: 'UNAVAILABLE' });
    expect(stalledCancelled).toBe(true);
    expect(decoded.ansi).toMatchObject({
      code: 'SEAT_TAKEN',
      conforming: true,
      message: expect.stringMatching(/^The /),
    });
  }, 90_000);
});
