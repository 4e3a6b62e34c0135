/**
 * Hostile HTTP answers from a real server on 127.0.0.1, read with the platform's fetch (undici):
 * compression bombs (gzip, deflate, brotli, and two stacked gzip layers) and corrupt compressed
 * bodies (fetch decodes them on its own), bodies in
 * another charset or with invalid UTF-8, deeply nested or duplicated JSON, a content type that
 * lies, and headers by the thousand. Each decodes bounded, by status when nothing Faultline could
 * read was sent, and nothing rejects or throws.
 */
import { createServer, type Server } from 'node:http';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFault } from '../src/index.js';

const CLAIM = '{"code":"SEAT_TAKEN","detail":"Taken."}';
/** Zeros decompress to 512 MiB from about half a megabyte each. */
const ZEROS = Buffer.alloc(512 * 1024 * 1024);
const BOMBS = {
  gzip: gzipSync(ZEROS),
  deflate: deflateSync(ZEROS),
  // About 100 KB; the fastest quality keeps the test's own compressing short.
  br: brotliCompressSync(ZEROS, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }),
};
/** Two encodings stacked (`gzip, gzip`): the outer layer is about 1 KB. */
const STACKED = gzipSync(BOMBS.gzip);

const ANSWERS: Record<string, { headers: Record<string, string | string[]>; body: Buffer | string }> = {
  '/gzip-bomb': { headers: { 'content-encoding': 'gzip' }, body: BOMBS.gzip },
  '/deflate-bomb': { headers: { 'content-encoding': 'deflate' }, body: BOMBS.deflate },
  '/br-bomb': { headers: { 'content-encoding': 'br' }, body: BOMBS.br },
  '/stacked-bomb': { headers: { 'content-encoding': 'gzip, gzip' }, body: STACKED },
  '/gzip-corrupt': {
    headers: { 'content-encoding': 'gzip' },
    body: Buffer.concat([gzipSync(CLAIM).subarray(0, 12), Buffer.alloc(64, 0xff)]),
  },
  '/gzip-fine': { headers: { 'content-encoding': 'gzip' }, body: gzipSync(CLAIM) },
  '/utf16': { headers: { 'content-type': 'application/json; charset=utf-16le' }, body: Buffer.from(CLAIM, 'utf16le') },
  '/invalid-utf8': {
    headers: { 'content-type': 'application/json' },
    body: Buffer.concat([
      Buffer.from('{"code":"SEAT_TAKEN","detail":"Taken '),
      Buffer.from([0xff, 0xc0, 0x80]),
      Buffer.from('"}'),
    ]),
  },
  '/nested': {
    headers: {},
    body: `{"code":"SEAT_TAKEN","params":${'['.repeat(20_000)}${']'.repeat(20_000)},"errors":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
  },
  '/duplicate': { headers: {}, body: '{"code":"SEAT_TAKEN","code":"__proto__","detail":"Taken."}' },
  '/html-as-json': { headers: { 'content-type': 'application/problem+json' }, body: '<html><body>502</body></html>' },
  '/json-as-html': { headers: { 'content-type': 'text/html' }, body: CLAIM },
  '/many-headers': {
    headers: {
      'x-filler': Array.from({ length: 300 }, (_, i) => `v${i}`),
      'retry-after': Array.from({ length: 100 }, () => '5'),
      'x-request-id': Array.from({ length: 100 }, () => '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60'),
    },
    body: CLAIM,
  },
};

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((request, response) => {
    const answer = ANSWERS[request.url ?? ''];
    if (answer === undefined) return response.writeHead(404).end();
    response.writeHead(409, answer.headers);
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const get = async (path: string) => decodeFault(await fetch(`${base}${path}`));
const BY_STATUS = { format: 'unknown', conforming: false, status: 409, category: 'conflict', code: 'CONFLICT' };

describe('hostile HTTP answers', () => {
  it.each(['/gzip-bomb', '/deflate-bomb', '/br-bomb', '/stacked-bomb'])(
    '%s decodes by status quickly, reading at most 256 KiB of what it inflates to',
    async (path) => {
      const started = Date.now();
      const heap = process.memoryUsage().heapUsed;
      expect(await get(path)).toMatchObject(BY_STATUS);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
    },
  );

  it.each(['/gzip-corrupt', '/utf16', '/html-as-json'])('%s decodes by status', async (path) => {
    expect(await get(path)).toMatchObject(BY_STATUS);
  });

  it("a compressed, mislabelled or deeply nested body that is Faultline's still decodes", async () => {
    for (const path of ['/gzip-fine', '/json-as-html', '/nested']) {
      expect(await get(path)).toMatchObject({ conforming: true, code: 'SEAT_TAKEN', params: {} });
    }
  });

  it('invalid UTF-8 becomes U+FFFD (one line); a duplicate key takes the last value, held to the code rule', async () => {
    expect(await get('/invalid-utf8')).toMatchObject({ code: 'SEAT_TAKEN', message: 'Taken \ufffd\ufffd\ufffd' });
    expect(await get('/duplicate')).toMatchObject(BY_STATUS);
  });

  it('repeated headers: a joined Retry-After or X-Request-ID is not one value, and is dropped', async () => {
    expect(await get('/many-headers')).toMatchObject({
      code: 'SEAT_TAKEN',
      retryAfter: undefined,
      requestId: undefined,
    });
  });
});
