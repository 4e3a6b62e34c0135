/**
 * Bodies longer than the probe keeps, from real servers on loopback: the first 256 KB and the last
 * 64 KB are checked (a stack at the end of a large error page is found, over HTTP/1.1 plain and
 * chunked, gzip, and HTTP/2), what lies between is counted as `coverage/body-over-limit`, and a body
 * over the read limit is unparseable. A WebSocket message keeps its first and last 64 KB alike.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { LIMITS } from '../src/http/raw-request.js';
import { runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

const STACK = 'Error: boom\n    at Object.<anonymous> (/srv/app/src/db.js:12:7)';
/** A 1 MB error page with a stack at its very end. */
const PAGE = `<html><body>${'<p>lorem ipsum</p>'.repeat(60_000)}<pre>${STACK}</pre></body></html>`;
const fields = () => ({
  'content-type': 'text/html',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-request-id': crypto.randomUUID(),
});

async function listen(server: {
  listen(port: number, host: string, cb: () => void): unknown;
  address(): unknown;
  close(): unknown;
}) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return (server.address() as { port: number }).port;
}

const probe = (port: number, http2 = false, scheme = 'http') =>
  runProbe(parseTarget(`${scheme}://127.0.0.1:${port}`, false), {
    noDiscovery: true,
    http2,
    requestTimeoutMs: 3000,
    timeoutMs: 30_000,
  });

describe('a leak at the end of a large error page', () => {
  it.each([
    [
      'Content-Length',
      (res: import('node:http').ServerResponse) =>
        res.writeHead(500, { ...fields(), 'content-length': Buffer.byteLength(PAGE) }).end(PAGE),
    ],
    [
      'chunked',
      (res: import('node:http').ServerResponse) => {
        res.writeHead(500, fields());
        for (let i = 0; i < PAGE.length; i += 10_000) res.write(PAGE.slice(i, i + 10_000));
        res.end();
      },
    ],
    [
      'gzip',
      (res: import('node:http').ServerResponse) => {
        const body = gzipSync(PAGE);
        res.writeHead(500, { ...fields(), 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
      },
    ],
  ])('HTTP/1.1, %s: the stack is found, the unscanned middle is counted', async (_label, answer) => {
    const server = createHttpServer((req, res) => {
      req.resume();
      answer(res);
    });
    const result = await probe(await listen(server));
    const rules = result.findings.map((f) => f.rule);
    expect(rules).toContain('leak/stack-node');
    const coverage = result.findings.find((f) => f.rule === 'coverage/body-over-limit');
    const unscanned = Buffer.byteLength(PAGE) - LIMITS.bodyBytes - LIMITS.tailBytes;
    expect(coverage).toMatchObject({ severity: 'low', message: expect.stringContaining(`${unscanned} bytes`) });
    // Read to its end, not cut (only the oversized upload may race the server's close of the connection).
    const cut = result.findings.filter((f) => f.rule === 'protocol/unparseable' && f.probe !== 'http oversized-body');
    expect(cut).toEqual([]);
  });

  it('HTTP/2: the stack is found, the unscanned middle is counted', async () => {
    const server = createH2Server();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 500, ...fields() });
      stream.end(PAGE);
    });
    const result = await probe(await listen(server), true);
    const rules = result.findings.map((f) => f.rule);
    expect(rules).toContain('leak/stack-node');
    expect(rules).toContain('coverage/body-over-limit');
  });

  it('a body over the read limit is unparseable, and what was read is still checked', async () => {
    const server = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(500, { ...fields(), 'content-length': LIMITS.readBytes + 10 });
      res.write(`${STACK}\n`);
      res.end(Buffer.alloc(LIMITS.readBytes + 10 - Buffer.byteLength(`${STACK}\n`), 'a'));
    });
    const result = await probe(await listen(server));
    const rules = result.findings.map((f) => f.rule);
    expect(rules).toContain('protocol/unparseable');
    expect(rules).toContain('leak/stack-node');
    expect(result.verdict).toBe('findings');
  });
});

describe('a leak at the end of a large WebSocket message', () => {
  it('the stack is found, the unscanned middle is counted', async () => {
    const server = createHttpServer((_req, res) => res.writeHead(426).end());
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => {
      ws.on('error', () => undefined);
      ws.on('message', () => ws.send(`${'x'.repeat(512 * 1024)}${JSON.stringify({ error: STACK })}`));
    });
    closers.push(() => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    });
    const result = await probe(await listen(server), false, 'ws');
    const rules = result.findings.map((f) => f.rule);
    expect(rules).toContain('leak/stack-node');
    expect(rules).toContain('coverage/body-over-limit');
  });
});
