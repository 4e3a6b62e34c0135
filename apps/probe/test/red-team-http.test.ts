/**
 * Red team, HTTP channels and encodings: every leak of the red-team channels target is reported
 * under its rule and severity, over HTTP/1.1 and h2c, and a safe server that uses the same channels
 * cleanly (a 103 answer, a cookie, a redirect, gzip, keep-alive, PUT/PATCH/DELETE, forms, HTML
 * Accept) gets a clean verdict.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed, portOf } from './leaky/planted.js';
import { RED_TEAM_HTTP_ROUTES, redTeamHttp } from './leaky/red-team-http.js';

const probe = (url: string, http2: boolean, paths: string[] = []) =>
  runProbe(parseTarget(url, false), { noDiscovery: true, http2, paths, requestTimeoutMs: 2000, timeoutMs: 30_000 });

describe.each([
  ['HTTP/1.1', false],
  ['h2c', true],
])('red team channels over %s', (_label, http2) => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await redTeamHttp(http2);
    result = await probe(
      target.url,
      http2,
      target.planted.map((p) => p.where),
    );
  });
  afterAll(async () => {
    await target.close();
  });

  it.each(RED_TEAM_HTTP_ROUTES.filter((r) => r.h1Only !== true || !http2))(
    '$where: reported as $rule ($severity)',
    (leak) => {
      expect(missed([leak], result.findings)).toEqual([]);
    },
  );
});

const BODY = '{"type":"about:blank","title":"Bad Request","status":400,"detail":"The request is invalid."}';

/**
 * A safe server: problem JSON for every error, with the same channels used cleanly; a body it can
 * parse (JSON of any types, a form) is taken (200), one over 1 MB refused (413).
 */
function safe(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= 1 << 20) chunks.push(chunk);
  });
  req.on('end', () => {
    const fields = {
      'content-type': 'application/problem+json',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'x-request-id': crypto.randomUUID(),
      'set-cookie': `sid=${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')}; HttpOnly`,
      server: 'edge',
    };
    const type = req.headers['content-type'] ?? '';
    let parsed = /form-urlencoded/.test(type);
    try {
      parsed ||= /json/.test(type) && typeof JSON.parse(Buffer.concat(chunks).toString()) === 'object';
    } catch {
      parsed = false;
    }
    if (req.url?.startsWith('/hints')) res.writeEarlyHints({ link: '</static/app.css>; rel=preload' });
    if (size > 1 << 20) res.writeHead(413, fields).end(BODY);
    else if (parsed) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    else if (req.url?.startsWith('/moved'))
      res.writeHead(303, { ...fields, location: '/search?q=red+shoes&p=2%2B' }).end();
    else if (req.url?.startsWith('/gzip'))
      res.writeHead(400, { ...fields, 'content-encoding': 'gzip' }).end(gzipSync(BODY));
    else res.writeHead(400, fields).end(BODY);
  });
}

describe('a safe server using the same channels is clean', () => {
  it.each([
    ['HTTP/1.1', false],
    ['h2c', true],
  ])('%s', async (_label, http2) => {
    const server = http2
      ? createH2Server({ settings: { maxHeaderListSize: 1 << 20 }, maxSessionMemory: 64 }, safe)
      : createServer({ maxHeaderSize: 1 << 20 }, safe);
    // What node:http refuses before the handler (a path of invalid UTF-8) is answered cleanly too.
    server.on('clientError', (_error: Error, socket: import('node:net').Socket) => {
      const head = `HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\nx-request-id: ${crypto.randomUUID()}\r\ncontent-length: ${BODY.length}\r\nconnection: close\r\n\r\n`;
      socket.end(`${head}${BODY}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await probe(`http://127.0.0.1:${portOf(server)}`, http2, ['/hints', '/moved', '/gzip']);
      expect(result.findings).toEqual([]);
      expect(result.verdict).toBe('clean');
    } finally {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
