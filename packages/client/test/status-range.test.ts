/**
 * `decodeFault` on answers whose status is not an error status: a real server on 127.0.0.1 writes
 * status lines no HTTP server may send (600, 999: fetch hands them over as they are) and 2xx and
 * 3xx answers with an error-shaped body; hand-made responses carry statuses fetch never makes.
 * None is read as the fault it claims to be: each is `internal` (500), `conforming: false`, and
 * its body is cancelled unread.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFault, decodeHttpBody } from '../src/index.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const CLAIM = JSON.stringify({ error: { status: 409, code: 'SEAT_TAKEN', message: 'pwned', request_id: ID } });
const INTERNAL = {
  protocol: 'http',
  format: 'unknown',
  conforming: false,
  status: 500,
  category: 'internal',
  code: 'INTERNAL',
  retryable: false,
};

let raw: Server;
let rawBase = '';
let http: HttpServer;
let httpBase = '';
/** Per path: whether the server's answer ended before all of it was written (the client cancelled it). */
const cut = new Map<string, Promise<boolean>>();
beforeAll(async () => {
  // node:http refuses to write a status outside 100-999 or a 6xx reason: a raw socket writes any.
  raw = createServer((socket) =>
    socket.once('data', (request) => {
      const status = /^GET \/(\d+)/.exec(request.toString('latin1'))?.[1] ?? '999';
      socket.end(
        `HTTP/1.1 ${status} X\r\ncontent-type: application/json\r\nx-request-id: ${ID}\r\ncontent-length: ${CLAIM.length}\r\n\r\n${CLAIM}`,
      );
    }),
  );
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  rawBase = `http://127.0.0.1:${(raw.address() as { port: number }).port}`;
  http = createHttpServer((request, response) => {
    const status = Number((request.url ?? '').slice(1));
    cut.set(
      request.url ?? '',
      new Promise((resolve) => response.on('close', () => resolve(!response.writableFinished))),
    );
    response.writeHead(status, { 'content-type': 'application/json', location: '/elsewhere', 'retry-after': '30' });
    // An error claim, then 16 MB more: a reader that reads what it should not would take it all.
    response.write(CLAIM);
    let left = 256;
    const more = () => {
      while (left > 0 && response.write(Buffer.alloc(64 * 1024, 0x20))) left -= 1;
      if (left > 0) response.once('drain', more);
      else response.end();
    };
    more();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpBase = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
});
afterAll(() => {
  raw.close();
  http.closeAllConnections();
  http.close();
});

describe('a status that is not an error status is never the fault', () => {
  it.each(['600', '999'])('status %s (out of range, as fetch hands it over) decodes as internal', async (status) => {
    const response = await fetch(`${rawBase}/${status}`);
    expect(response.status).toBe(Number(status));
    const fault = await decodeFault(response);
    expect(fault).toMatchObject({ ...INTERNAL, requestId: ID });
    expect(fault.message).not.toBe('pwned');
  });

  it.each(['200', '202', '302', '304'])(
    'a %s with an error-shaped body decodes as internal, its body cancelled',
    async (status) => {
      const response = await fetch(`${httpBase}/${status}`, { redirect: 'manual' });
      const fault = await decodeFault(response);
      expect(fault).toMatchObject(INTERNAL);
      expect(fault.retryAfter).toBeUndefined();
      // 304 has no body to cancel; the others end before the 16 MB are written.
      if (status !== '304') expect(await cut.get(`/${status}`)).toBe(true);
    },
  );

  it.each([0, -1, 99, 600, 1e6, 409.5, Number.NaN, Number.POSITIVE_INFINITY, '409'])(
    'a hand-made response with status %s decodes as internal, without reading the body',
    async (status) => {
      let read = false;
      const fault = await decodeFault({
        status: status as number,
        headers: new Headers({ 'retry-after': '30' }),
        text: async () => {
          read = true;
          return CLAIM;
        },
      });
      expect(fault).toMatchObject(INTERNAL);
      expect(read).toBe(false);
    },
  );

  it('decodeHttpBody holds the same rule', () => {
    const headers = new Headers({ 'x-request-id': ID });
    expect(decodeHttpBody(200, headers, CLAIM)).toMatchObject({ ...INTERNAL, requestId: ID });
    expect(decodeHttpBody(1000, headers, CLAIM)).toMatchObject(INTERNAL);
    expect(decodeHttpBody(409, headers, CLAIM)).toMatchObject({ conforming: true, status: 409, code: 'SEAT_TAKEN' });
  });

  it('error statuses at both ends of the range still decode', async () => {
    for (const status of [400, 599]) {
      const fault = await decodeFault(new Response(CLAIM, { status }));
      expect(fault).toMatchObject({ conforming: true, status, code: 'SEAT_TAKEN', message: 'pwned' });
    }
  });
});
