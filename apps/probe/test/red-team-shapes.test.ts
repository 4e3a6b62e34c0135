/**
 * Red team, leak shapes: every leak of the shapes target is reported under its rule and severity,
 * over HTTP/1.1 and h2c (those it missed before: an internal host in `Via`, a backend field, a
 * redirect and a `Refresh`; TRACE; a multipart body cut short; a wrong Content-Encoding; the same
 * create twice; MIME base64; a bad Host; a bad cookie); a gRPC auth interceptor's error to a garbled
 * token and a ws binary decoder's stack to a binary frame that does not decode are reported; the
 * exit code fails on an internal host in `Via` alone; and a safe server using the same channels
 * cleanly (a proxy's pseudonym, public and relative redirects, TRACE refused) gets a clean verdict
 * and exit code 0.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  constants,
  createServer as createH2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer, type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed, portOf } from './leaky/planted.js';
import { rawMethod } from './leaky/raw-method.js';
import { redTeamShapes, SHAPE_ROUTES } from './leaky/red-team-shapes.js';
import { binaryWs } from './leaky/ws-binary.js';

const probe = (url: string, http2: boolean, paths: string[] = []) =>
  runProbe(parseTarget(url, false), { noDiscovery: true, http2, paths, requestTimeoutMs: 2000, timeoutMs: 40_000 });

describe.each([
  ['HTTP/1.1', false],
  ['h2c', true],
])('red team shapes over %s', (_label, http2) => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await redTeamShapes(http2);
    result = await probe(
      target.url,
      http2,
      target.planted.map((p) => p.where),
    );
  }, 60_000);
  afterAll(async () => {
    await target.close();
  });

  it.each(SHAPE_ROUTES.filter((route) => route.h1Only !== true || !http2))(
    '$where: reported as $rule ($severity)',
    (leak) => {
      expect(missed([leak], result.findings)).toEqual([]);
    },
  );
});

describe('an internal host name', () => {
  const rules = (headers: Record<string, string>, body = '') =>
    checkAnswer({ status: 502, headers, body }, { probe: 'p', location: 'l' })
      .filter((f) => f.rule.startsWith('leak/'))
      .map((f) => f.rule);

  it.each([
    [{ via: '1.1 orders-svc:8080' }],
    [{ via: '1.0 edge, 1.1 payments:9000' }],
    [{ 'x-served-by': 'api-7f9c:3000' }],
    [{ location: 'http://auth-svc/login?next=%2F' }],
    [{ location: 'https://billing' }],
    [{ refresh: '0; url=http://reports-api/x' }],
    [{ 'x-cache-lookup': 'MISS from squid01:3128' }],
    [{ 'x-envoy-upstream-host': 'orders:8080' }],
    [{ 'x-forwarded-host': 'orders-svc:8080' }],
    [{ 'x-pod-name': 'web-1' }],
    [{ 'x-hostname': 'api-3' }],
  ])('is found in %j', (headers) => {
    expect(rules(headers)).toEqual(['leak/private-ip']);
  });

  it.each([
    [{ via: '1.1 varnish' }],
    [{ via: '1.1 a1b2c3.cloudfront.net (CloudFront), 1.1 vegur' }],
    [{ via: '1.1 proxy.example.com:8080' }],
    [{ via: '1.1 localhost:3128' }],
    [{ location: 'https://shop.example.com/login' }],
    [{ location: 'http://localhost:3000/x' }],
    [{ location: '/login?next=http%3A%2F%2Fshop.example.com%2F' }],
    [{ 'x-served-by': 'cache-fra-etou8220063-FRA' }],
    [{ 'x-cache': 'Hit from cloudfront', 'x-cache-lookup': 'HIT from edge' }],
    [{ 'x-forwarded-host': 'api.example.com:443' }],
    [{ 'x-hostname': 'api.example.com' }],
  ])('is not seen in %j', (headers) => {
    expect(rules(headers)).toEqual([]);
  });

  it('is not seen in a body that names a port after a word (`error:500`, `line:42`)', () => {
    expect(rules({}, '{"error":"upstream said error:500 at line:42"}')).toEqual([]);
  });
});

// These servers are each a test's own and mostly idle (a ws session listens 2 s): their suites run at once.
describe('a gRPC auth interceptor', { concurrent: true }, () => {
  it("answering its token library's error to a garbled bearer token is reported", async () => {
    const server = new Server();
    server.addService({ get: rawMethod('/shop.Accounts/Get') }, {
      // Without a token the call goes through; with one that is not a token, jsonwebtoken's text comes back.
      get: (call: { metadata: { get(key: string): unknown[] } }, callback: (e: unknown, v?: Buffer) => void) =>
        call.metadata.get('authorization').length === 0
          ? callback(null, Buffer.alloc(0))
          : callback({ code: status.UNAUTHENTICATED, details: 'JsonWebTokenError: jwt malformed' }),
    } as unknown as UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    try {
      const result = await runProbe(parseTarget(`grpc://127.0.0.1:${port}`, false), {
        grpcMethods: ['/shop.Accounts/Get'],
        noDiscovery: true,
        requestTimeoutMs: 2000,
        timeoutMs: 20_000,
      });
      expect(
        missed([{ rule: 'leak/auth-library', where: '/shop.Accounts/Get', severity: 'medium' }], result.findings),
      ).toEqual([]);
      expect(result.verdict).toBe('findings');
    } finally {
      server.forceShutdown();
    }
  }, 30_000);
});

describe('a ws server speaking a binary protocol', { concurrent: true }, () => {
  it("answering its decoder's stack to a binary frame that does not decode is reported", async () => {
    const target = await binaryWs();
    try {
      const result = await runProbe(parseTarget(target.url, false), { noDiscovery: true, timeoutMs: 20_000 });
      expect(missed(target.planted, result.findings)).toEqual([]);
    } finally {
      await target.close();
    }
  }, 30_000);
});

const BODY = '{"type":"about:blank","title":"Bad Request","status":400,"detail":"The request is invalid."}';

const FIELDS = {
  'content-type': 'application/problem+json',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
} as const;

/**
 * A safe server whose answers carry `via`: JSON it can parse is taken (an encoded body is not
 * decoded: refused), a body over 1 MB refused (413), TRACE refused (405), a redirect to a public
 * host, a relative Refresh; the rest 400. Over HTTP/2 a stream that sends a Host field is reset.
 */
function safe(via: string) {
  return (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    // HTTP/2 names the authority in `:authority`: a stream that also sends a Host field is reset (RFC 9113 §8.3.1).
    if ('stream' in req && req.headers.host !== undefined) {
      req.stream.close(constants.NGHTTP2_PROTOCOL_ERROR);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1 << 20) chunks.push(chunk);
    });
    req.on('end', () => {
      const fields = { ...FIELDS, 'x-request-id': crypto.randomUUID(), server: 'edge', via };
      let parsed = false;
      try {
        const json = /json/.test(req.headers['content-type'] ?? '') && req.headers['content-encoding'] === undefined;
        parsed = json && typeof JSON.parse(String(Buffer.concat(chunks))) === 'object';
      } catch {
        parsed = false;
      }
      if (size > 1 << 20) res.writeHead(413, fields).end(BODY);
      else if (req.method === 'TRACE') res.writeHead(405, { ...fields, allow: 'GET, POST' }).end(BODY);
      else if (parsed) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else if (req.url?.startsWith('/moved'))
        res.writeHead(302, { ...fields, location: 'https://shop.example.com/login?next=%2Forders' }).end();
      else if (req.url?.startsWith('/refresh')) res.writeHead(400, { ...fields, refresh: '5; url=/orders' }).end(BODY);
      else res.writeHead(400, fields).end(BODY);
    });
  };
}

async function listen(http2: boolean, via: string) {
  const server = http2
    ? createH2Server({ settings: { maxHeaderListSize: 1 << 20 }, maxSessionMemory: 64 }, safe(via))
    : createServer({ maxHeaderSize: 1 << 20 }, safe(via));
  // What node:http refuses before the handler (a path of invalid UTF-8) is answered cleanly too.
  server.on('clientError', (_error: Error, socket: import('node:net').Socket) => {
    const head = Object.entries({ ...FIELDS, 'x-request-id': crypto.randomUUID(), via, 'content-length': BODY.length })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(`HTTP/1.1 400 Bad Request\r\n${head}connection: close\r\n\r\n${BODY}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    close: () =>
      new Promise((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

describe('a safe server using the same channels is clean', () => {
  it.each([
    ['HTTP/1.1', false],
    ['h2c', true],
  ])(
    '%s',
    async (_label, http2) => {
      const server = await listen(http2, '1.1 varnish, 1.1 a1b2c3.cloudfront.net (CloudFront)');
      try {
        const result = await probe(server.url, http2, ['/moved', '/refresh']);
        expect(result.findings).toEqual([]);
        expect(result.verdict).toBe('clean');
      } finally {
        await server.close();
      }
    },
    60_000,
  );
});

const bin = fileURLToPath(new URL('../bin/faultline-probe.js', import.meta.url));
const cli = (url: string) =>
  new Promise<number>((resolve) => {
    execFile(process.execPath, [bin, url, '--no-discovery', '--timeout', '30'], { timeout: 40_000 }, (error) =>
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1),
    );
  });

describe('the exit code', { concurrent: true }, () => {
  it('is 1 when the only leak is an internal host in Via, 0 for a proxy pseudonym', async () => {
    const [leaky, pseudonym] = await Promise.all([listen(false, '1.1 orders-svc:8080'), listen(false, '1.1 varnish')]);
    try {
      expect(await Promise.all([cli(leaky.url), cli(pseudonym.url)])).toEqual([1, 0]);
    } finally {
      await Promise.all([leaky.close(), pseudonym.close()]);
    }
  }, 60_000);
});
