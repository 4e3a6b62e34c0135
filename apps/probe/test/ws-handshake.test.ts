/**
 * WebSocket targets. ws:// is plain TCP: the bad-handshake probe reaches the server and its HTTP
 * answer is checked; a leak there is found, and a Faultline ws server set up as the README shows
 * gets a clean verdict (no probe unanswered). A leak after a burst of frames is read, and a message
 * over 1 MB is unparseable.
 */
import { createServer, type Server } from 'node:http';
import { defineCatalog } from '@faultline/core';
import { createWsAdapter } from '@faultline/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import type { LeakyTarget } from './leaky/planted.js';
import { burstWs } from './leaky/ws-burst.js';
import { upgradeLeakWs } from './leaky/ws-upgrade.js';

describe('ws:// targets', () => {
  let leaky: LeakyTarget;
  let burst: LeakyTarget;
  let clean: Server;
  let wss: WebSocketServer;
  beforeAll(async () => {
    [leaky, burst] = await Promise.all([upgradeLeakWs(), burstWs()]);
    // The README's WebSocket example.
    const errors = defineCatalog({
      ORDER_NOT_FOUND: {
        category: 'not_found',
        message: 'The order does not exist.',
        type: 'https://docs.example.com/errors/order-not-found',
      },
    });
    const fl = createWsAdapter();
    wss = new WebSocketServer({ noServer: true });
    const onMessage = () => {
      throw errors.ORDER_NOT_FOUND();
    };
    wss.on(
      'connection',
      fl.connection((socket) => socket.on('message', fl.json(socket, onMessage))),
    );
    clean = createServer((_request, response) => response.writeHead(426).end());
    clean.on('upgrade', fl.upgrade(wss));
    clean.on('clientError', fl.clientError);
    await new Promise<void>((resolve) => clean.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await Promise.all([leaky.close(), burst.close()]);
    for (const client of wss.clients) client.terminate();
    wss.close();
    clean.closeAllConnections();
    await new Promise((resolve) => clean.close(resolve));
  });

  it('parses ws:// as plain TCP and wss:// as TLS', () => {
    expect(parseTarget('ws://127.0.0.1:1/x', false).tls).toBe(false);
    expect(parseTarget('wss://127.0.0.1:1/x', false).tls).toBe(true);
    expect(parseTarget('grpcs://127.0.0.1:1', false).tls).toBe(true);
    expect(parseTarget('http://127.0.0.1:1', false).tls).toBe(false);
  });

  it.each([
    ['a leak in the answer to a bad handshake is found', () => leaky],
    ['a leak after a burst of frames is found, a message over 1 MB is unparseable', () => burst],
  ])('%s', { concurrent: true }, async (_label, target) => {
    const result = await runProbe(parseTarget(target().url, false), { timeoutMs: 20_000 });
    for (const leak of target().planted)
      expect(
        result.findings.some(
          (f) => f.rule === leak.rule && (f.locations ?? [f.location]).some((l) => l.includes(leak.where)),
        ),
        `${leak.rule} at ${leak.where}`,
      ).toBe(true);
  });

  // Each run listens about 2 s an endpoint on five endpoints, mostly idle: the three runs go at once.
  it("the README's Faultline ws server: every probe answered, clean verdict", { concurrent: true }, async () => {
    const port = (clean.address() as { port: number }).port;
    const result = await runProbe(parseTarget(`ws://127.0.0.1:${port}/`, false), { timeoutMs: 20_000 });
    expect(result.unanswered).toEqual({ timeout: 0, closed: 0, unparseable: 0, refused: 0, aborted: 0 });
    expect(result.findings).toEqual([]);
    expect(result.verdict).toBe('clean');
  });
});
