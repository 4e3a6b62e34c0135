/**
 * ws upgrade refusals in the other formats, over a real HTTP server and raw sockets: `jsonapi`
 * answers JSON:API 1.1 documents (schema-valid, bare media type, usual headers) for refused
 * checks, paths not served and bad handshakes; `negotiate` picks by the upgrade's `Accept` and
 * says `Vary: Accept`; the adversarial corpus thrown by the upgrade check leaks nothing in either.
 */
import { createServer, type Server } from 'node:http';
import { type Category, TAXONOMY } from '@faultline/core';
import { CORPUS, type CorpusCase, jsonApiSchemaErrors, leaksIn, rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createWsAdapter, type WsAdapterOptions } from '../src/index.js';

const JSONAPI = 'application/vnd.api+json';
const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
const UPGRADE = `Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`;

interface Parsed {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function parse(raw: string): Parsed {
  const split = raw.indexOf('\r\n\r\n');
  const lines = raw.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1]), headers, body: raw.slice(split + 4) };
}

async function startServer(options: WsAdapterOptions): Promise<{ server: Server; port: number }> {
  const adapter = createWsAdapter({ reporter: false, ...options });
  const wss = new WebSocketServer({ noServer: true, path: '/ws' });
  const server = createServer((_req, res) => res.end('ok'));
  server.on(
    'upgrade',
    adapter.upgrade(wss, (request) => {
      const index = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('fail') ?? '-1');
      if (index >= 0) throw (CORPUS[index] as CorpusCase).make();
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

function expectJsonApi(answer: Parsed, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe(JSONAPI);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['cache-control']).toBe('no-store');
  const document = JSON.parse(answer.body) as { errors: Record<string, unknown>[] };
  expect(jsonApiSchemaErrors(document)).toEqual([]);
  expect(document.errors[0]).toMatchObject({ id: answer.headers['x-request-id'], status: String(status), code });
}

describe.each(['jsonapi', 'negotiate'] as const)("upgrade refusals with format '%s'", (format) => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    ({ server, port } = await startServer({
      format,
      ...(format === 'negotiate' ? { defaultFormat: 'envelope' } : {}),
    }));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const accept = format === 'negotiate' ? `Accept: ${JSONAPI}\r\n` : '';

  it('answers a refused check, a path not served and a bad handshake as JSON:API', async () => {
    expectJsonApi(
      parse(await rawHttpExchange(port, `GET /ws?fail=0 HTTP/1.1\r\n${UPGRADE}${KEY}${accept}\r\n`)),
      TAXONOMY[(CORPUS[0] as CorpusCase).category as Category].http,
      TAXONOMY[(CORPUS[0] as CorpusCase).category as Category].code,
    );
    expectJsonApi(
      parse(await rawHttpExchange(port, `GET /elsewhere HTTP/1.1\r\n${UPGRADE}${KEY}${accept}\r\n`)),
      404,
      'NOT_FOUND',
    );
    expectJsonApi(
      parse(await rawHttpExchange(port, `GET /ws HTTP/1.1\r\n${UPGRADE}Sec-WebSocket-Version: 13\r\n${accept}\r\n`)),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('negotiates only when asked to', async () => {
    const answer = parse(
      await rawHttpExchange(
        port,
        `GET /elsewhere HTTP/1.1\r\n${UPGRADE}${KEY}Accept: application/problem+json\r\n\r\n`,
      ),
    );
    if (format === 'jsonapi') {
      expect(answer.headers['content-type']).toBe(JSONAPI);
      expect(answer.headers).not.toHaveProperty('vary');
    } else {
      expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(answer.headers.vary).toBe('Accept');
      const fallback = parse(await rawHttpExchange(port, `GET /elsewhere HTTP/1.1\r\n${UPGRADE}${KEY}\r\n`));
      expect(fallback.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it('leaks nothing of the corpus thrown by the upgrade check', async () => {
    let leaks = 0;
    for (const [index, testCase] of CORPUS.entries()) {
      const raw = await rawHttpExchange(port, `GET /ws?fail=${index} HTTP/1.1\r\n${UPGRADE}${KEY}${accept}\r\n`);
      // The upgrade's client is still connected: a cancellation is the server's own.
      const live = (testCase.liveHttpCategory ?? testCase.category) as Category;
      const spec = TAXONOMY[testCase.input === undefined ? live : 'internal'];
      expectJsonApi(parse(raw), spec.http, spec.code);
      leaks += leaksIn(raw, testCase).length;
    }
    expect(leaks).toBe(0);
  });
});

it('refuses an unknown format at creation', () => {
  expect(() => createWsAdapter({ reporter: false, format: 'xml' as unknown as 'jsonapi' })).toThrow(/format/);
  expect(() => createWsAdapter({ reporter: false, defaultFormat: 'jsonapi' })).toThrow(/negotiate/);
});
