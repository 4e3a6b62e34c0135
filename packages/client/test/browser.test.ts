/**
 * The browser entry in a real browser: Debian's headless Chromium loads the built client (ES
 * modules, with an import map for core's taxonomy), calls a real Faultline Fastify server with
 * fetch, decodes the fault and writes it into the page, which Chromium dumps.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defineCatalog } from '@faultline/core';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const clientDist = fileURLToPath(new URL('../dist/', import.meta.url));
const coreTaxonomy = fileURLToPath(new URL('../../core/dist/taxonomy.js', import.meta.url));
const errors = defineCatalog({
  BROWSER_CART_EXPIRED: { category: 'precondition_failed', message: 'The cart expired.' },
});

const PAGE = `<!doctype html>
<html><head>
<script type="importmap">{"imports":{"@faultline/core/taxonomy":"/core/taxonomy.js"}}</script>
<script type="module">
  import { decodeFault, decodeWsFault } from '/client/index.js';
  const out = {};
  const response = await fetch('/raise', { headers: { 'x-request-id': '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60' } });
  out.http = await decodeFault(response);
  out.proxy = await decodeFault(new Response('<html>502 Bad Gateway</html>', { status: 502 }));
  out.ws = decodeWsFault({ code: 1013, reason: 'UNAVAILABLE 3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60' });
  document.getElementById('out').textContent = JSON.stringify(out);
</script></head><body><pre id="out">pending</pre></body></html>`;

let app: FastifyInstance;
let base = '';
beforeAll(async () => {
  app = Fastify({ ...faultlineServerOptions(), logger: false }) as unknown as FastifyInstance;
  await app.register(faultline, { reporter: false });
  app.get('/page.html', async (_request, reply) => reply.type('text/html').send(PAGE));
  app.get<{ Params: { file: string } }>('/client/:file', async (request, reply) => {
    const file = request.params.file;
    if (!/^[\w-]+\.js$/.test(file)) throw errors.BROWSER_CART_EXPIRED();
    return reply.type('text/javascript').send(readFileSync(join(clientDist, file)));
  });
  app.get('/core/taxonomy.js', async (_request, reply) =>
    reply.type('text/javascript').send(readFileSync(coreTaxonomy)),
  );
  app.get('/raise', async () => {
    throw errors.BROWSER_CART_EXPIRED();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app.close();
});

describe('browser entry in headless Chromium', () => {
  it('decodes a real problem response, a proxy page and a close, with no Node-only import', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'faultline-chromium-'));
    const { stdout } = await run(
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
        '--virtual-time-budget=10000',
        '--dump-dom',
        `${base}/page.html`,
      ],
      { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
    );
    const text = /<pre id="out">([\s\S]*?)<\/pre>/.exec(stdout)?.[1] ?? '';
    const decoded = JSON.parse(text.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Record<
      string,
      Record<string, unknown>
    >;
    expect(decoded.http).toMatchObject({
      protocol: 'http',
      status: 412,
      category: 'precondition_failed',
      code: 'BROWSER_CART_EXPIRED',
      requestId: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60',
      conforming: true,
      retryable: false,
    });
    expect(decoded.proxy).toMatchObject({ status: 502, category: 'bad_gateway', conforming: false, retryable: true });
    expect(decoded.ws).toMatchObject({ category: 'unavailable', code: 'UNAVAILABLE', retryable: true });
  }, 90_000);
});
