/**
 * The 101's `X-Request-Id`: the adapter adds the connection's id unless a 'headers' listener
 * before it (another adapter on the server) set one already, in any letter case; a header whose
 * name only starts the same way is not one. Real ws server and client on 127.0.0.1.
 */
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:http';
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsAdapter } from '../src/index.js';

const OWN_ID = '3f0c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
/** The line the application's own 'headers' listener adds, by path. */
const LINES: Readonly<Record<string, string>> = {
  '/upper': `X-REQUEST-ID: ${OWN_ID}`,
  '/mixed': `x-Request-Id: ${OWN_ID}`,
  '/longer-name': 'X-Request-Id-Source: gateway',
};

let server: Server;
let wss: WebSocketServer;
let port = 0;

beforeAll(async () => {
  const fl = createWsAdapter({ reporter: createReporter({ logger: memoryLog().logger, flushOnExit: false }) });
  wss = new WebSocketServer({ noServer: true });
  // Before the adapter's own listener, as another adapter's would be.
  wss.on('headers', (headers: string[], request: IncomingMessage) => {
    const line = LINES[request.url ?? ''];
    if (line !== undefined) headers.push(line);
  });
  server = createServer();
  server.on('upgrade', fl.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The `X-Request-Id` values of the 101 answering an upgrade to `path`. */
function idsOf101(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    client.once('upgrade', (response) => {
      const raw = response.rawHeaders;
      const ids: string[] = [];
      for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'x-request-id') ids.push(raw[i + 1] ?? '');
      resolve(ids);
      client.close();
    });
    client.once('error', reject);
  });
}

describe("the 101's X-Request-Id", () => {
  it('is the one already set, in any letter case, and no second one', async () => {
    expect(await idsOf101('/upper')).toEqual([OWN_ID]);
    expect(await idsOf101('/mixed')).toEqual([OWN_ID]);
  });

  it("is the adapter's own beside a header whose name only starts the same way", async () => {
    const ids = await idsOf101('/longer-name');
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await idsOf101('/')).toHaveLength(1);
  });
});
