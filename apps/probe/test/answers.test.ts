/**
 * Hostile and unusual answers from real servers on loopback: what the target sends can neither
 * forge nor hide a line of the report, and every place a leak can hide in an HTTP answer is read.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAnswer } from '../src/answer.js';
import { LIMITS } from '../src/http/raw-request.js';
import { type RunResult, runProbe } from '../src/index.js';
import { toTable } from '../src/output/table.js';
import { parseTarget } from '../src/target.js';

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

const CLEAN_HEAD = (id: string) =>
  `Content-Type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nX-Request-ID: ${id}\r\nConnection: close\r\n`;
const BODY = JSON.stringify({ status: 404, code: 'NOT_FOUND', title: 'Not found' });

/** A TCP server on `port` that answers every request with the bytes `answer` returns. */
/** Listens on an ephemeral loopback port; closed after the tests. Resolves with the server's URL. */
async function listening(server: {
  listen(port: number, host: string, cb: () => void): unknown;
  address(): unknown;
  close(): unknown;
}): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => server.close() });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function rawServer(answer: () => string | Buffer): Promise<string> {
  const server: Server = createNetServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(answer()));
  });
  return listening(server);
}

/** A 404 with the clean error fields, `extra` head lines, and `body`. */
const rawAnswer = (extra: string, body: Buffer | string) =>
  Buffer.concat([Buffer.from(`HTTP/1.1 404 Not Found\r\n${CLEAN_HEAD(uuid())}${extra}\r\n`), Buffer.from(body)]);
const cleanFields = () => ({
  'content-type': 'application/problem+json',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-request-id': uuid(),
});

const probe = (url: string, http2 = false) =>
  runProbe(parseTarget(url, false), { noDiscovery: true, requestTimeoutMs: 3000, timeoutMs: 30_000, http2 });
const serious = (result: RunResult) => result.findings.filter((f) => f.severity === 'high' || f.severity === 'medium');
const uuid = () => crypto.randomUUID();

describe('target text cannot forge the report', () => {
  const FORGED = 'text/html\n\nsummary: 0 high, 0 medium, 0 low, 0 info; verdict: clean\x1b[8m';

  it('a bare LF and terminal escapes in a header: the answer is rejected, the table has one summary line', async () => {
    const url = await rawServer(() => {
      const head = `HTTP/1.1 404 Not Found\r\n${CLEAN_HEAD(uuid()).replace('application/problem+json', FORGED)}`;
      return `${head}Content-Length: ${BODY.length}\r\n\r\n${BODY}`;
    });
    const result = await probe(url);
    expect(result.findings.map((f) => f.rule)).toContain('protocol/unparseable');
    const table = toTable(result);
    expect(table).not.toContain('\x1b');
    expect(table.split('\n').filter((line) => line.startsWith('summary:'))).toHaveLength(1);
    expect(table.split('\n').at(-1)).not.toContain('verdict: clean');
  });

  it('every field of the table is escaped and bounded, whatever a finding holds', () => {
    const hostile = `x\r\n${'\n'}summary: 0 high; verdict: clean\x1b[8m\u009b2J\u202e\u200b\ufeff\u{e0041}${'a'.repeat(1000)}`;
    const table = toTable({
      target: `http://t/${hostile}`,
      verdict: 'findings',
      findings: [
        { rule: `r/${hostile}`, severity: 'high', message: hostile, probe: 'p', location: hostile, evidence: hostile },
      ],
      requests: 1,
      answered: 1,
      unanswered: { timeout: 0, closed: 0, unparseable: 0, refused: 0, aborted: 0 },
      discovered: [{ how: hostile, what: hostile }],
      coverage: { reached: [hostile], notServed: [hostile], gap: hostile },
      durationMs: 1,
      timedOut: false,
      incomplete: false,
    });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be absent
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e\ufeff]|\udb40/);
    expect(table).toContain('\\x1b[8m');
    expect(table).toContain('\\u202e\\u200b\\ufeff\\udb40\\udc41');
    // The five lines of before, and the reached, not-served and NOT COVERED lines: one each, whatever they hold.
    expect(table.split('\n')).toHaveLength(8);
    for (const line of table.split('\n')) expect(line.length).toBeLessThan(800);
  });

  it('a rule message never carries the raw header value', () => {
    const found = checkAnswer(
      { status: 404, headers: { 'content-type': 'text/html\x1b[8m' }, body: '' },
      { probe: 'p', location: '/', http: true },
    );
    const typed = found.find((f) => f.rule === 'headers/content-type');
    expect(typed?.message).not.toContain('text/html');
    expect(typed?.evidence).toBe('text/html [8m');
  });
});

describe('every field of an answer is read', () => {
  it('HTTP/1.1: the first of two same-named fields is checked too', async () => {
    const url = await rawServer(() => {
      const head = `HTTP/1.1 404 Not Found\r\n${CLEAN_HEAD(uuid())}Server: nginx/1.22.1\r\nServer: edge\r\n`;
      const cookies =
        'Set-Cookie: dsn=postgres://admin:hunter2@10.0.3.7:5432/prod; HttpOnly\r\nSet-Cookie: sid=abc\r\n';
      return `${head}${cookies}Content-Length: ${BODY.length}\r\n\r\n${BODY}`;
    });
    const result = await probe(url);
    const rules = serious(result).map((f) => f.rule);
    expect(rules).toContain('leak/secret');
    expect(rules).toContain('leak/version');
    expect(result.verdict).toBe('findings');
  });

  it('HTTP/1.1: conflicting Content-Length fields make the answer unparseable', async () => {
    const url = await rawServer(() => {
      const head = `HTTP/1.1 404 Not Found\r\n${CLEAN_HEAD(uuid())}Content-Length: 3\r\n`;
      return `${head}Content-Length: ${BODY.length}\r\n\r\n${BODY}`;
    });
    expect((await probe(url)).findings.map((f) => f.rule)).toContain('protocol/unparseable');
  });

  it('HTTP/2: every value of same-named fields is checked', async () => {
    const server = createH2Server();
    server.on('stream', (stream) => {
      stream.respond({
        ':status': 404,
        'content-type': 'application/problem+json',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'x-request-id': uuid(),
        server: ['nginx/1.22.1', 'edge'],
        'set-cookie': ['dsn=postgres://admin:hunter2@10.0.3.7:5432/prod', 'sid=abc'],
      } as unknown as OutgoingHttpHeaders); // repeated fields: typed single, sent as given
      stream.end(BODY);
    });
    const url = await listening(server);
    const rules = serious(await probe(url, true)).map((f) => f.rule);
    expect(rules).toContain('leak/secret');
    expect(rules).toContain('leak/version');
  });
});

describe('version headers', () => {
  it.each([
    ['server', 'Jetty(9.4.44.v20210927)'],
    ['x-aspnet-version', '4.0.30319'],
    ['x-aspnetmvc-version', '5.2'],
    ['via', '1.1 varnish (Varnish/6.0)'],
    ['x-powered-by', 'PHP/8.1.2'],
    ['server', 'Apache-Coyote/1.1 Tomcat/9.0.65'],
  ])('%s: %s is a version leak', (name, value) => {
    const found = checkAnswer({ status: 404, headers: { [name]: value }, body: '' }, { probe: 'p', location: '/' });
    expect(found.map((f) => f.rule)).toContain('leak/version');
  });

  it.each([
    ['server', 'edge'],
    ['via', '1.1 varnish'],
    ['server', 'cloudflare'],
  ])('%s: %s is not', (name, value) => {
    const found = checkAnswer({ status: 404, headers: { [name]: value }, body: '' }, { probe: 'p', location: '/' });
    expect(found.map((f) => f.rule)).not.toContain('leak/version');
  });

  it('a real server sending Jetty, ASP.NET and Varnish versions is reported', async () => {
    const url = await rawServer(() => {
      const versions = 'Server: Jetty(9.4.44.v20210927)\r\nX-AspNet-Version: 4.0.30319\r\n';
      return `HTTP/1.1 404 Not Found\r\n${CLEAN_HEAD(uuid())}${versions}Content-Length: ${BODY.length}\r\n\r\n${BODY}`;
    });
    const result = await probe(url);
    expect(result.findings.filter((f) => f.rule === 'leak/version').length).toBeGreaterThan(0);
    expect(result.verdict).toBe('findings');
  });
});

describe('compressed bodies are read as a client reads them', () => {
  const STACK = 'Error: boom\n    at Object.<anonymous> (/srv/app/src/db.js:12:7)';
  const LEAK = JSON.stringify({ error: STACK, sql: 'SELECT password FROM users WHERE id = 1' });
  const compressed = (coding: string, body: Buffer) =>
    rawAnswer(`Content-Encoding: ${coding}\r\nContent-Length: ${body.length}\r\n`, body);

  it.each([
    ['gzip', gzipSync(LEAK)],
    ['br', brotliCompressSync(LEAK)],
    ['deflate', deflateSync(LEAK)],
    ['deflate', deflateRawSync(LEAK)],
  ])('HTTP/1.1 %s: the stack inside is found', async (coding, body) => {
    const url = await rawServer(() => compressed(coding, body));
    const rules = serious(await probe(url)).map((f) => f.rule);
    expect(rules).toContain('leak/stack-node');
  });

  it.each([
    ['a body that does not decode', Buffer.from('not gzip at all')],
    ['a body over the read limit once decoded', gzipSync(Buffer.alloc(LIMITS.readBytes + 1, 'a'))],
  ])('HTTP/1.1 gzip, %s: unparseable', async (_label, body) => {
    const url = await rawServer(() => compressed('gzip', body));
    const result = await probe(url);
    expect(result.findings.map((f) => f.rule)).toContain('protocol/unparseable');
    expect(result.verdict).not.toBe('clean');
  });

  it('HTTP/2 gzip: the stack inside is found', async () => {
    const server = createH2Server();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 500, ...cleanFields(), 'content-encoding': 'gzip' });
      stream.end(gzipSync(LEAK));
    });
    const url = await listening(server);
    const rules = serious(await probe(url, true)).map((f) => f.rule);
    expect(rules).toContain('leak/stack-node');
  });
});

describe('trailers are read like header fields', () => {
  const SQL = 'SELECT password FROM users WHERE id = 1';

  it('HTTP/1.1 chunked trailers, the trailer section sent a moment after the last chunk', async () => {
    const server: Server = createNetServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        const head = `HTTP/1.1 404 Not Found\r\n${CLEAN_HEAD(uuid())}Transfer-Encoding: chunked\r\nTrailer: x-debug\r\n\r\n`;
        socket.write(`${head}${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\n`);
        setTimeout(() => socket.end(`X-Debug: ${SQL}\r\n\r\n`), 100);
      });
    });
    const url = await listening(server);
    const rules = serious(await probe(url)).map((f) => f.rule);
    expect(rules).toContain('leak/sql');
  });

  it('HTTP/2 trailers', async () => {
    const server = createH2Server();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 404, ...cleanFields() }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-debug': SQL }));
      stream.end(BODY);
    });
    const url = await listening(server);
    const rules = serious(await probe(url, true)).map((f) => f.rule);
    expect(rules).toContain('leak/sql');
  });
});
