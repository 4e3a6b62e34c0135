/**
 * Round 9: hostile header framing from a raw TCP server (`node:net`, so every byte is the test's:
 * padding, case, repeats, sizes no `node:http` server writes), read the two ways a Node caller
 * gets an answer: the platform's fetch (undici) and a `node:http` `IncomingMessage`. Both must give
 * the same `requestId` and `retryAfter`.
 *
 * The defect: undici's fetch keeps the white space a server sends after a header value (RFC 9110
 * says it is not part of the value; `node:http` drops it), so `X-Request-ID: <uuid> ` lost its id
 * through fetch and kept it through `node:http`.
 */
import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFault, type RemoteFault } from '../src/index.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const BODY = '{"code":"SEAT_TAKEN","detail":"Taken.","request_id":"not-a-uuid"}';

/** Header lines of each case, and the `requestId` and `retryAfter` both clients must decode. */
const CASES: Record<string, { lines: string[]; requestId?: string; retryAfter?: number }> = {
  paddedId: { lines: [`X-Request-ID: \t ${ID} \t `], requestId: ID },
  paddedUpperId: { lines: [`X-Request-ID:   ${ID.toUpperCase()}   `], requestId: ID },
  paddedRetryAfter: { lines: ['Retry-After:  7 \t'], retryAfter: 7 },
  spaceInsideId: { lines: [`X-Request-ID: ${ID.slice(0, 8)} ${ID.slice(9)}`] },
  idTwice: { lines: [`X-Request-ID: ${ID}`, `x-request-id: ${ID}`] },
  idWithTail: { lines: [`X-Request-ID: ${ID}${'a'.repeat(10_000)}`] },
  idObsText: { lines: [`X-Request-ID: ${ID}\u00ff`] },
  idSpacesInside: { lines: [`X-Request-ID: x${' '.repeat(12_000)}y`] },
  plus: { lines: ['Retry-After: +5'] },
  negative: { lines: ['Retry-After: -5'] },
  fraction: { lines: ['Retry-After: 1.5'] },
  hex: { lines: ['Retry-After: 0x10'] },
  farFuture: { lines: ['Retry-After: Fri, 31 Dec 9999 23:59:59 GMT'], retryAfter: 86_400 },
  leapSecond: { lines: ['Retry-After: Wed, 31 Dec 2098 23:59:60 GMT'], retryAfter: 86_400 },
  epoch: { lines: ['Retry-After: Thu, 01 Jan 1970 00:00:00 GMT'] },
  sixtyNines: { lines: [`Retry-After: ${'9'.repeat(60)}`], retryAfter: 86_400 },
  twiceOtherCase: { lines: ['Retry-After: 5', 'retry-after: 86400000'] },
  zero: { lines: ['Retry-After: 0'], retryAfter: 0 },
};

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((socket) => {
    let request = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      request += chunk;
      const name = /^GET \/(\w+)/.exec(request)?.[1];
      if (name === undefined || !request.includes('\r\n\r\n')) return;
      const head = ['HTTP/1.1 503 Service Unavailable', 'Content-Type: application/problem+json'];
      head.push(`Content-Length: ${Buffer.byteLength(BODY)}`, 'Connection: close', ...(CASES[name]?.lines ?? []));
      socket.end(Buffer.from(`${head.join('\r\n')}\r\n\r\n${BODY}`, 'latin1'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

/** The fault of one case through fetch. */
async function viaFetch(name: string): Promise<RemoteFault> {
  return decodeFault(await fetch(`${base}/${name}`));
}

/** The fault of one case through `node:http`, its `IncomingMessage` passed as the response. */
function viaNodeHttp(name: string): Promise<RemoteFault> {
  return new Promise((resolve, reject) => {
    get(`${base}/${name}`, (message) => resolve(decodeFault(message))).on('error', reject);
  });
}

describe('header framing, through fetch and node:http alike', () => {
  it.each(Object.keys(CASES))('%s', async (name) => {
    const { requestId, retryAfter } = CASES[name] ?? {};
    const expected = { code: 'SEAT_TAKEN', status: 503, requestId, retryAfter };
    const started = Date.now();
    expect(await viaFetch(name)).toMatchObject(expected);
    expect(await viaNodeHttp(name)).toMatchObject(expected);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
