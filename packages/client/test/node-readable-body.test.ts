/**
 * `decodeFault` on a body that is a Node.js `Readable`, as node-fetch and `node:http` give it (no
 * WHATWG stream, only `text()` besides): a real `node:http` client reads a real server on
 * 127.0.0.1 that trickles its body forever or sends 64 MB. The body is read with the bounds of a
 * fetch body (at most 256 KiB, until the deadline) and then destroyed, so the server sees its
 * connection closed; `text()`, which can be neither bounded nor stopped, is never called.
 */
import { get, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFault, type ResponseLike } from '../src/index.js';
import { type RouteHandler, type RouteServer, startRouteServer, within } from './support/route-server.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const ROUTES: Record<string, RouteHandler> = {
  '/trickle': (response) => {
    response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '7' });
    response.write('{"code":"UNAVAILABLE","detail":"');
    const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write('x')), 20);
  },
  '/64mb': (response) => {
    response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '7' });
    response.write('{"code":"UNAVAILABLE","detail":"');
    let left = 1024;
    const more = () => {
      while (left > 0 && response.write(Buffer.alloc(64 * 1024, 0x78))) left -= 1;
      if (left > 0) response.once('drain', more);
      else response.end('"}');
    };
    more();
  },
  '/duplicates': (response) => {
    response.writeHead(503, [
      ['content-type', 'application/problem+json'],
      ['retry-after', '7'],
      ['retry-after', '86400'],
      ['x-request-id', ID],
      ['x-request-id', '4f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60'],
    ]);
    response.end('{"code":"UNAVAILABLE","detail":"Down."}');
  },
  '/bom': (response) => {
    response.writeHead(409, { 'content-type': 'application/problem+json; charset=utf-8' });
    response.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"code":"SEAT_TAKEN"}')]));
  },
  '/ok': (response) => {
    response.writeHead(200, { 'x-request-id': ID });
    const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write('x')), 20);
  },
  '/small': (response) => {
    response.writeHead(409, { 'content-type': 'application/problem+json', 'x-request-id': ID, 'retry-after': '3' });
    response.end('{"code":"SEAT_TAKEN","detail":"Taken."}');
  },
};

let server: RouteServer;
beforeAll(async () => {
  server = await startRouteServer(ROUTES);
});
afterAll(() => server.close());

/** A node-fetch-like response over `node:http`: the `Readable` as `body`, and a `text()` that reads it all. */
async function nodeResponse(path: string): Promise<ResponseLike & { textCalled: () => boolean }> {
  const message = await new Promise<IncomingMessage>((resolve) => get(`${server.base}${path}`, resolve));
  let called = false;
  return {
    status: message.statusCode ?? 0,
    headers: { get: (name) => [message.headers[name] ?? []].flat()[0] ?? null },
    body: message,
    text: async () => {
      called = true;
      let text = '';
      for await (const chunk of message) text += chunk;
      return text;
    },
    textCalled: () => called,
  };
}

const BY_STATUS = { format: 'unknown', conforming: false, status: 503, code: 'UNAVAILABLE', retryAfter: 7 };

describe('a Node.js Readable body (node-fetch, node:http)', () => {
  it('a trickling body decodes by status once timeoutMs passes, and the connection is closed', async () => {
    const response = await nodeResponse('/trickle');
    const fault = await within(3000, decodeFault(response, undefined, { timeoutMs: 300 }));
    expect(fault).toMatchObject(BY_STATUS);
    expect(await within(3000, server.cut('/trickle'))).toBe(true);
    expect(response.textCalled()).toBe(false);
  });

  it('a 64 MB body decodes by status, reading at most 256 KiB, and the connection is closed', async () => {
    const response = await nodeResponse('/64mb');
    const fault = await within(5000, decodeFault(response));
    expect(fault).toMatchObject(BY_STATUS);
    expect(await within(5000, server.cut('/64mb'))).toBe(true);
    expect(response.textCalled()).toBe(false);
  });

  it('a body that ends in time decodes', async () => {
    const fault = await within(3000, decodeFault(await nodeResponse('/small')));
    expect(fault).toMatchObject({
      format: 'problem',
      conforming: true,
      status: 409,
      code: 'SEAT_TAKEN',
      message: 'Taken.',
    });
  });
});

describe('an IncomingMessage passed as the response itself', () => {
  const message = (path: string) => new Promise<IncomingMessage>((resolve) => get(`${server.base}${path}`, resolve));

  it('decodes its status, headers and body', async () => {
    expect(await within(3000, decodeFault(await message('/small')))).toMatchObject({
      format: 'problem',
      conforming: true,
      status: 409,
      code: 'SEAT_TAKEN',
      message: 'Taken.',
      requestId: ID,
      retryAfter: 3,
    });
  });

  it('a 64 MB body or a trickling one decodes by status, and the message is destroyed', async () => {
    const huge = await message('/64mb');
    expect(await within(5000, decodeFault(huge))).toMatchObject(BY_STATUS);
    expect(await within(5000, server.cut('/64mb'))).toBe(true);
    const trickle = await message('/trickle');
    expect(await within(3000, decodeFault(trickle, undefined, { timeoutMs: 300 }))).toMatchObject(BY_STATUS);
    expect(await within(3000, server.cut('/trickle'))).toBe(true);
  });

  it('given an encoding (string chunks), it decodes the same, and a 64 MB one by status', async () => {
    const small = await message('/small');
    small.setEncoding('utf8');
    expect(await within(3000, decodeFault(small))).toMatchObject({ conforming: true, code: 'SEAT_TAKEN' });
    const huge = await message('/64mb');
    huge.setEncoding('utf8');
    expect(await within(5000, decodeFault(huge))).toMatchObject(BY_STATUS);
    expect(await within(5000, server.cut('/64mb'))).toBe(true);
  });

  it('a byte order mark before the JSON is ignored, as bytes or as strings', async () => {
    expect(await within(3000, decodeFault(await message('/bom')))).toMatchObject({ code: 'SEAT_TAKEN' });
    const strings = await message('/bom');
    strings.setEncoding('utf8');
    expect(await within(3000, decodeFault(strings))).toMatchObject({ conforming: true, code: 'SEAT_TAKEN' });
  });

  it('a repeated Retry-After or X-Request-ID is no value (Node keeps only the first Retry-After)', async () => {
    const fault = await within(3000, decodeFault(await message('/duplicates')));
    expect(fault).toMatchObject({ conforming: true, code: 'UNAVAILABLE', requestId: undefined, retryAfter: undefined });
  });

  it('a 2xx is not read: internal, and the message is destroyed', async () => {
    const ok = await message('/ok');
    expect(await within(3000, decodeFault(ok))).toMatchObject({ conforming: false, status: 500, requestId: ID });
    expect(await within(3000, server.cut('/ok'))).toBe(true);
  });
});
