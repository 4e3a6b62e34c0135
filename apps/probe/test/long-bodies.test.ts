/**
 * Bodies longer than the probe keeps, from real servers on loopback. Over HTTP the first 256 KB and
 * the last 64 KB are kept and the middle is checked as it passes, in overlapping stretches: a stack
 * in the middle of a large error page is found (plain, chunked with the stack split across chunks,
 * gzip, HTTP/2), and so is one across the end of the head or across two stretches; a body over the
 * read limit is unparseable. A WebSocket message's middle is checked alike.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { checkAnswer } from '../src/answer.js';
import { BodyReader } from '../src/http/body.js';
import { exchange, LIMITS } from '../src/http/raw-request.js';
import { runProbe } from '../src/index.js';
import { MIDDLE } from '../src/middle.js';
import { parseTarget } from '../src/target.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

const STACK = 'Error: boom\n    at Object.<anonymous> (/srv/app/src/db.js:12:7)';
/** `bytes` of an error page's markup (ASCII: one byte a character). */
const markup = (bytes: number) => '<p>lorem ipsum</p>'.repeat(Math.ceil(bytes / 18)).slice(0, bytes);
/** A 1 MB error page with a stack starting at byte `at`. */
const pageWith = (at: number) => `${markup(at)}${STACK}${markup(1_000_000 - at)}`;
/** A 1 MB error page with a stack in its very middle. */
const MIDDLE_PAGE = pageWith(500_000);
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

/**
 * A server that sends `answer` to the first GET it gets (one large page is enough, and cheap) and a
 * small clean error to every other request.
 */
function once(answer: (res: ServerResponse) => void) {
  let sent = false;
  return (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.method === 'GET' && !sent) {
      sent = true;
      answer(res);
    } else res.writeHead(404, { ...fields(), 'content-type': 'application/problem+json' }).end('{"status":404}');
  };
}

describe('a leak in the middle of a large error page', () => {
  it.each([
    [
      'Content-Length',
      (res: ServerResponse) =>
        res.writeHead(500, { ...fields(), 'content-length': MIDDLE_PAGE.length }).end(MIDDLE_PAGE),
    ],
    [
      'chunked, the stack split across two chunks',
      (res: ServerResponse) => {
        res.writeHead(500, fields());
        // Chunks of 10 000 bytes: the one ending at byte 500 020 ends inside the stack.
        for (let i = 0; i < MIDDLE_PAGE.length; i += 10_000) res.write(MIDDLE_PAGE.slice(i, i + 10_000));
        res.end();
      },
    ],
    [
      'gzip',
      (res: ServerResponse) => {
        const body = gzipSync(MIDDLE_PAGE);
        res.writeHead(500, { ...fields(), 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
      },
    ],
  ])('HTTP/1.1, %s: the stack is found, and nothing is left unchecked', async (_label, answer) => {
    const result = await probe(await listen(createHttpServer(once(answer))));
    const rules = result.findings.map((f) => f.rule);
    expect(rules).toContain('leak/stack-node');
    expect(rules).not.toContain('coverage/body-over-limit');
    expect(result.findings.filter((f) => f.rule === 'protocol/unparseable')).toEqual([]);
  });

  it('HTTP/2: the stack is found', async () => {
    const server = createH2Server();
    let sent = false;
    server.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      if (headers[':method'] === 'GET' && !sent) {
        sent = true;
        stream.respond({ ':status': 500, ...fields() });
        stream.end(MIDDLE_PAGE);
      } else stream.respond({ ':status': 404, ...fields() }, { endStream: true });
    });
    const result = await probe(await listen(server), true);
    const rules = result.findings.map((f) => f.rule);
    expect(rules).toContain('leak/stack-node');
    expect(rules).not.toContain('coverage/body-over-limit');
  });

  it.each([
    ['across the end of the kept head', LIMITS.bodyBytes - 20],
    ['across the end of a checked stretch', LIMITS.bodyBytes - MIDDLE.overlapBytes + MIDDLE.stretchBytes - 20],
    ['across the start of the kept tail', 1_000_000 + STACK.length - LIMITS.tailBytes - 20],
  ])('a stack %s is found', async (_label, at) => {
    const page = pageWith(at);
    const server = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(500, { ...fields(), 'content-length': page.length });
      // Written in two parts cut inside the stack: the probe reads it in (at least) two packets.
      res.write(page.slice(0, at + 20));
      res.end(page.slice(at + 20));
    });
    const port = await listen(server);
    const result = await exchange(
      { host: '127.0.0.1', port, tls: false },
      { method: 'GET', path: '/' },
      { timeoutMs: 3000 },
    );
    expect(result).toMatchObject({ outcome: 'answered' });
    expect(result.unscanned).toBeUndefined();
    const found = checkAnswer(result.answer as NonNullable<typeof result.answer>, { probe: 'p', location: '/' });
    expect(found.map((f) => f.rule)).toContain('leak/stack-node');
  });

  it('a body over the read limit is unparseable, and what was read is still checked', async () => {
    const stackAt = LIMITS.readBytes / 2;
    const server = createHttpServer(
      once((res) => {
        res.writeHead(500, { ...fields(), 'content-length': LIMITS.readBytes + 10 });
        res.write(Buffer.alloc(stackAt, 'a'));
        res.write(` ${STACK}\n`);
        res.end(Buffer.alloc(LIMITS.readBytes + 10 - stackAt - Buffer.byteLength(` ${STACK}\n`), 'a'));
      }),
    );
    const result = await probe(await listen(server));
    const rules = result.findings.map((f) => f.rule);
    expect(rules).toContain('protocol/unparseable');
    expect(rules).toContain('leak/stack-node');
    expect(result.verdict).toBe('findings');
  });
});

describe("the probe's own input in the middle of a large body", () => {
  it('is reflection, and a leak of the same kind after it is still found', () => {
    const marker = 'flprobe0123456789ab';
    const reflected = ` no such file /srv/${marker}/x `;
    const leaked = ' config at /srv/app/config/db.yaml ';
    const body = `${markup(400_000)}${reflected}${markup(400_000)}${leaked}${markup(400_000)}`;
    const reader = new BodyReader({ 'content-type': 'text/html' });
    for (let i = 0; i < body.length; i += 65_536) reader.push(Buffer.from(body.slice(i, i + 65_536)));
    const decoded = reader.finish(500, {}) as {
      answer: { status: number; headers: Record<string, string>; body: string };
    };
    const found = checkAnswer(decoded.answer, { probe: 'p', location: '/', marker });
    expect(found.find((f) => f.rule === 'leak/path')?.evidence).toContain('/srv/app/config/db.yaml');
    expect(found.map((f) => f.rule)).toContain('reflect/input');
  });
});

describe("a body cut by the run's deadline", () => {
  it('the middle checked so far is kept, what was read after it is counted as not checked', () => {
    // 700 000 bytes of a longer body came when the deadline passed: the first stretch was checked.
    const read = pageWith(300_000).slice(0, 700_000);
    const reader = new BodyReader({ 'content-type': 'text/html' });
    for (let i = 0; i < read.length; i += 10_000) reader.push(Buffer.from(read.slice(i, i + 10_000)));
    const decoded = reader.finish(500, {}, undefined, true);
    const checkedThrough = LIMITS.bodyBytes - MIDDLE.overlapBytes + MIDDLE.stretchBytes;
    expect(decoded).toMatchObject({ unscanned: 700_000 - LIMITS.tailBytes - checkedThrough });
    const answer = (decoded as { answer: { status: number; headers: Record<string, string>; body: string } }).answer;
    expect(checkAnswer(answer, { probe: 'p', location: '/' }).map((f) => f.rule)).toContain('leak/stack-node');
  });
});

describe('a leak in the middle of a large WebSocket message', () => {
  it('the stack is found, and nothing is left unchecked', async () => {
    const server = createHttpServer((_req, res) => res.writeHead(426).end());
    const wss = new WebSocketServer({ server });
    const filler = 'x'.repeat(256 * 1024);
    wss.on('connection', (ws) => {
      ws.on('error', () => undefined);
      ws.on('message', () => ws.send(`${filler}${JSON.stringify({ error: STACK })}${filler}`));
    });
    closers.push(() => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    });
    const result = await probe(await listen(server), false, 'ws');
    const rules = result.findings.map((f) => f.rule);
    expect(rules).toContain('leak/stack-node');
    expect(rules).not.toContain('coverage/body-over-limit');
  });
});
