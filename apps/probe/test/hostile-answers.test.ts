/**
 * Hostile answers from real servers on loopback. A clean head followed by a body that stalls or is
 * cut: what arrived is checked, but such an exchange is not an answer, so a target that never
 * finishes an error is never reported clean. An endless flood of interim (1xx) answers and an
 * invalid Content-Length are unparseable, bounded in time and memory.
 */
import { spawn } from 'node:child_process';
import { createServer as createH2Server, type ServerHttp2Stream } from 'node:http2';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Bytes } from '../src/http/bytes.js';
import { ChunkedDecoder } from '../src/http/chunked.js';
import { exchange } from '../src/http/raw-request.js';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';

/** Each test's server, closed when the file is done (the tests of a describe run at once). */
const closers: (() => void)[] = [];
afterAll(() => {
  for (const close of closers.splice(0)) close();
});

const CLEAN = () =>
  `content-type: application/problem+json\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\nx-request-id: ${crypto.randomUUID()}\r\n`;

/** A TCP server on an ephemeral loopback port that answers each request with `answer(socket)`. */
async function tcp(answer: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => answer(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

const probe = (port: number, http2 = false, requestTimeoutMs = 500) =>
  runProbe(parseTarget(`http://127.0.0.1:${port}`, false), {
    noDiscovery: true,
    http2,
    requestTimeoutMs,
    timeoutMs: 20_000,
    // Every probe waits its 500 ms: 24 show the verdict as well as all would.
    maxRequests: 24,
  });

/**
 * Every probe with a body timed out (only the two HEAD probes, whose answers have none, may be
 * answered): the verdict is inconclusive or the unanswered probes are a medium finding, never clean.
 */
function expectStalled(result: RunResult): void {
  expect(result.answered).toBeLessThanOrEqual(2);
  expect(result.unanswered.timeout).toBeGreaterThan(10);
  expect(result.verdict).not.toBe('clean');
  if (result.answered > 0)
    expect(result.findings).toContainEqual(
      expect.objectContaining({ rule: 'availability/unanswered', severity: 'medium' }),
    );
}

// Each test has a server of its own, and most wait out their probes' limits: they run at once.
describe('a clean head, then a body that never ends', { concurrent: true }, () => {
  it('HTTP/1.1, Content-Length never reached: timed out, not clean', async () => {
    const port = await tcp((s) => s.write(`HTTP/1.1 404 Not Found\r\n${CLEAN()}content-length: 500\r\n\r\n{"status":`));
    const result = await probe(port);
    expectStalled(result);
  });

  it('HTTP/1.1, a chunked body without its last chunk: timed out, not clean', async () => {
    const port = await tcp((s) =>
      s.write(`HTTP/1.1 404 Not Found\r\n${CLEAN()}transfer-encoding: chunked\r\n\r\n5\r\n{"a":\r\n`),
    );
    const result = await probe(port);
    expectStalled(result);
  });

  it('HTTP/1.1, the connection closed mid-body: unparseable, not clean', async () => {
    const port = await tcp((s) => s.end(`HTTP/1.1 404 Not Found\r\n${CLEAN()}content-length: 500\r\n\r\n{"status":`));
    const result = await probe(port);
    expect(result.unanswered.unparseable).toBeGreaterThan(0);
    expect(result.findings.map((f) => f.rule)).toContain('protocol/unparseable');
    expect(result.verdict).not.toBe('clean');
  });

  it('HTTP/1.1, what arrived before the stall is still checked for leaks', async () => {
    const port = await tcp((s) =>
      s.write(
        `HTTP/1.1 500 Oops\r\n${CLEAN()}content-length: 900\r\n\r\n{"error":"relation \\"users\\" does not exist`,
      ),
    );
    const result = await probe(port);
    expect(result.findings.map((f) => f.rule)).toContain('leak/driver-pg');
  });

  it('HTTP/2, a stream whose body never ends: timed out, not clean', async () => {
    const server = createH2Server();
    const streams = new Set<ServerHttp2Stream>();
    server.on('stream', (stream) => {
      streams.add(stream);
      stream.on('error', () => undefined);
      stream.respond({
        ':status': 404,
        'content-type': 'application/problem+json',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'x-request-id': crypto.randomUUID(),
      });
      stream.write('{"status":');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      for (const stream of streams) stream.destroy();
      server.close();
    });
    const result = await probe((server.address() as { port: number }).port, true);
    expectStalled(result);
  });
});

// One at a time: their probes are CPU-bound, and under load a flood could outlast a probe's limit.
describe('answers no client can read', () => {
  it('an endless flood of 100 Continue: unparseable at once, bounded, not clean', async () => {
    const port = await tcp((s) => {
      const interim = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'.repeat(1000));
      const pump = () => {
        while (!s.destroyed && s.write(interim));
      };
      s.on('drain', pump);
      pump();
    });
    // A limit far above what reading to the bound takes: on a loaded machine, checking the other
    // exchanges' floods as text can hold the loop past 500 ms, and the timer then fires first.
    const result = await probe(port, false, 5_000);
    // Each exchange was cut at the bound on interim answers, none waited out its limit.
    expect(result.unanswered.timeout).toBe(0);
    expect(result.answered).toBe(0);
    expect(result.unanswered.unparseable).toBeGreaterThan(0);
    expect(result.verdict).toBe('inconclusive');
  });

  it('a few interim answers, then the final one: read as the final one', async () => {
    const port = await tcp((s) =>
      s.end(
        `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 500 Oops\r\n${CLEAN()}content-length: 27\r\n\r\n{"e":"at /srv/app/x.js:1:1"}`,
      ),
    );
    const result = await probe(port);
    expect(result.answered).toBeGreaterThan(0);
    expect(result.findings.map((f) => f.rule)).toContain('leak/stack-node');
  });

  it.each(['204 No Content', '304 Not Modified'])(
    'a %s with a Content-Length has no body: read at once',
    async (status) => {
      const port = await tcp((s) => s.write(`HTTP/1.1 ${status}\r\n${CLEAN()}content-length: 50\r\n\r\n`));
      const result = await probe(port);
      expect(result.unanswered.timeout).toBe(0);
      expect(result.answered).toBeGreaterThan(15);
    },
  );

  it.each(['-5', '1e3', '0x10'])('Content-Length: %s is unparseable', async (length) => {
    const port = await tcp((s) => s.end(`HTTP/1.1 404 Not Found\r\n${CLEAN()}content-length: ${length}\r\n\r\n{}`));
    const result = await probe(port);
    expect(result.unanswered.unparseable).toBeGreaterThan(0);
    expect(result.verdict).toBe('inconclusive');
  });
});

/** A server in a child process (its CPU is not the probe's) dripping a chunked answer of one-byte chunks; resolves its port. */
function drippingChunks(): Promise<{ port: number; stop: () => void }> {
  const code = `
    const server = require('node:net').createServer((s) => {
      s.on('error', () => undefined);
      s.setNoDelay(true);
      s.once('data', () => {
        s.write('HTTP/1.1 500 X\\r\\ncontent-type: application/json\\r\\ntransfer-encoding: chunked\\r\\n\\r\\n');
        let n = 0;
        const timer = setInterval(() => {
          if (s.destroyed) return clearInterval(timer);
          if (n > 60000) return clearInterval(timer), s.write('0\\r\\n\\r\\n');
          for (let i = 0; i < 20; i++, n++) s.write('1\\r\\na\\r\\n');
        }, 0);
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start')), 10_000);
    child.stdout.once('data', (line: Buffer) => {
      clearTimeout(timer);
      resolve({ port: Number(String(line).trim()), stop: () => child.kill('SIGKILL') });
    });
  });
}

describe('an answer dripped in tiny packets', () => {
  it('a chunked body of one-byte chunks, tens of thousands of packets, is read to its end and answered', async () => {
    const server = await drippingChunks();
    try {
      const result = await exchange(
        { host: '127.0.0.1', port: server.port, tls: false },
        { method: 'GET', path: '/' },
        { timeoutMs: 30_000 },
      );
      expect(result.outcome).toBe('answered');
    } finally {
      server.stop();
    }
  });

  // What keeps that linear (a full decode of everything on each packet took about 2.5 s of CPU):
  // bytes are appended without copying what arrived before, and a chunked body is decoded again
  // only when the bytes just added can hold its end. Timed in no test (timing belongs in apps/bench).
  it('Bytes appends packet by packet and keeps every byte in order', () => {
    const bytes = new Bytes();
    const packets = Array.from({ length: 5000 }, (_, i) => Buffer.from(String(i % 10)));
    for (const packet of packets) bytes.append(packet);
    expect(bytes.view.equals(Buffer.concat(packets))).toBe(true);
    bytes.drop(10);
    expect(bytes.view.equals(Buffer.concat(packets).subarray(10))).toBe(true);
  });

  it('ChunkedDecoder: the end (last chunk, trailer section) is seen however the packets split it', () => {
    const whole = Buffer.from('1\r\na\r\n1\r\nb\r\n0\r\nx-debug: 1\r\n\r\n');
    for (let cut = 1; cut < whole.length; cut += 1) {
      const data: Buffer[] = [];
      const decoder = new ChunkedDecoder((chunk) => data.push(Buffer.from(chunk)));
      decoder.push(whole.subarray(0, cut));
      expect(decoder.complete).toBe(false);
      decoder.push(whole.subarray(cut));
      expect(decoder.complete).toBe(true);
      expect(String(Buffer.concat(data))).toBe('ab');
      expect(decoder.trailers).toEqual({ 'x-debug': '1' });
    }
    const open = new ChunkedDecoder(() => undefined);
    open.push(Buffer.from('1\r\na\r\n0\r\nx-debug: 1\r\n'));
    expect(open.complete).toBe(false);
  });
});
