/**
 * A body cut short after a complete claim: a real HTTP server on 127.0.0.1 (ephemeral port) writes
 * a whole, valid Faultline problem, then closes the connection before the `Content-Length` it
 * promised (or before the last chunk of a chunked body). What arrived parses, but the answer is
 * truncated, so it is not taken: the fault decodes by status, from fetch (undici) and from a
 * `node:http` `IncomingMessage` alike. The same claim sent whole decodes.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFault } from '../src/index.js';
import { type RouteHandler, type RouteServer, startRouteServer, within } from './support/route-server.js';

const CLAIM = '{"code":"SEAT_TAKEN","detail":"Taken.","status":409}';
const TYPE = { 'content-type': 'application/problem+json' };
/** Writes the claim, then drops the connection once it has gone out. */
const cutAfterClaim =
  (headers: Record<string, string>): RouteHandler =>
  (response) => {
    response.writeHead(409, { ...TYPE, ...headers });
    response.write(CLAIM, () => setTimeout(() => response.socket?.destroy(), 20));
  };
const ROUTES: Record<string, RouteHandler> = {
  '/whole': (response) => response.writeHead(409, TYPE).end(CLAIM),
  '/cut-length': cutAfterClaim({ 'content-length': '4096' }),
  '/cut-chunked': cutAfterClaim({}),
};

let server: RouteServer;
beforeAll(async () => {
  server = await startRouteServer(ROUTES);
});
afterAll(() => server.close());

const CLIENTS = {
  fetch: async (path: string) => decodeFault(await fetch(`${server.base}${path}`)),
  'node:http': async (path: string) =>
    decodeFault(
      await new Promise<IncomingMessage>((resolve, reject) =>
        httpGet(`${server.base}${path}`, resolve).once('error', reject),
      ),
    ),
};
const BY_STATUS = { format: 'unknown', conforming: false, status: 409, category: 'conflict', code: 'CONFLICT' };

describe('a body cut short after a complete claim', () => {
  it.each(Object.keys(CLIENTS))('%s: the claim sent whole decodes', async (client) => {
    const fault = await within(5000, CLIENTS[client as keyof typeof CLIENTS]('/whole'));
    expect(fault).toMatchObject({ conforming: true, code: 'SEAT_TAKEN', message: 'Taken.' });
  });

  it.each(
    Object.keys(CLIENTS).flatMap((client) => [
      [client, '/cut-length'],
      [client, '/cut-chunked'],
    ]),
  )('%s: %s decodes by status', async (client, path) => {
    const fault = await within(5000, CLIENTS[client as keyof typeof CLIENTS](path));
    expect(fault).toMatchObject(BY_STATUS);
    expect(fault.message).not.toBe('Taken.');
  });
});
