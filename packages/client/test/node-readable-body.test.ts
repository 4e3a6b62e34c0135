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
  '/small': (response) => {
    response.writeHead(409, { 'content-type': 'application/problem+json' });
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
