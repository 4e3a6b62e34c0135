/**
 * Operations on a running gateway, real nginx and HAProxy (plain internal listener, TLS 1.3 +
 * HTTP/2 public listener) in front of a plain Node service: a reload while requests are in flight
 * (none lost or answered in another shape), the access log moved away and reopened, the request id
 * a client sends (kept, replaced) through the success path and the gateway's pages, hostile values
 * that must leave every access log line one UTF-8 JSON object (and no query in it), backend
 * answers an operator meets (`Connection: close` on each, a 503 stack page, an answer that stops
 * mid-body), nginx's idle backend connections (closed before Node's keep-alive timeout), and a
 * graceful stop with requests in flight.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHaproxy } from '../src/index.js';
import { eventually, expectFaultlineAnswer, logged, UUID_V4, V4_ID, V7_ID } from './answers.js';
import { curl, type Gateway, headerValues, parseExchange, startNginx } from './gateway.js';
import { get, opsCertificate, opsService, rawHttpExchange } from './ops-helpers.js';

let backend: Server;
/** For each backend connection that carried `/api/idle`: whether the gateway closed it first. */
const idleCloses: boolean[] = [];
let backendPort = 0;
const gateways = {} as Record<'nginx' | 'haproxy', Gateway & { internal: number; reload(): Promise<void> }>;
/** The generated nginx's options in front of the backend (the internal listener added per gateway). */
let nginxOptions: Omit<Parameters<typeof startNginx>[1], 'internalListen'>;
const haproxies: ChildProcess[] = [];

beforeAll(async () => {
  backend = opsService((byGateway) => idleCloses.push(byGateway));
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendPort = (backend.address() as { port: number }).port;
  const cert = opsCertificate();
  const common = { upstreams: [`127.0.0.1:${backendPort}`], routes: ['/api/'], readTimeout: 1 };
  {
    const [port, internal] = [await freePort(), await freePort()];
    nginxOptions = { ...common, listen: [`127.0.0.1:${port}`], tls: { certificate: cert.crt, key: cert.key } };
    const nginx = await startNginx(port, { ...nginxOptions, internalListen: [`127.0.0.1:${internal}`] });
    const master = () => Number(readFileSync(join(nginx.dir, 'nginx.pid'), 'utf8'));
    gateways.nginx = { ...nginx, internal, reload: async () => void process.kill(master(), 'SIGHUP') };
  }
  {
    // HAProxy in the foreground, reloaded as its packaging does: a new process with -sf <old pid>.
    const [port, internal] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-ops-'));
    const conf = join(dir, 'haproxy.cfg');
    writeFileSync(
      conf,
      renderHaproxy({
        ...common,
        listen: [`127.0.0.1:${port}`],
        internalListen: [`127.0.0.1:${internal}`],
        tls: { certificate: cert.bundle },
      }),
    );
    execFileSync('haproxy', ['-c', '-q', '-f', conf], { stdio: 'pipe' });
    const log = openSync(join(dir, 'access.log'), 'a');
    const run = (...more: string[]) => {
      const child = spawn('haproxy', ['-db', '-f', conf, ...more], { stdio: ['ignore', log, 'ignore'] });
      haproxies.push(child);
      return child;
    };
    run();
    await waitForPort(port, 5000);
    await waitForPort(internal, 5000);
    gateways.haproxy = {
      dir,
      port,
      internal,
      reload: async () => void run('-sf', String(haproxies.at(-1)?.pid)),
      stop: async () => undefined,
    };
  }
});

afterAll(async () => {
  await gateways.nginx?.stop();
  for (const child of haproxies)
    if (child.exitCode === null && child.signalCode === null)
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
  backend?.closeAllConnections();
  await new Promise((resolve) => backend?.close(resolve));
});

/** A v4 id that is unique to this run and to `n`. */
const idFor = (n: number) => `${V4_ID.slice(0, -6)}${String(n).padStart(6, '0')}`;

/** The access log's lines. */
const logLines = (dir: string) => readFileSync(join(dir, 'access.log'), 'utf8').split('\n').filter(Boolean);

// The two gateways share only the backend (which answers each request alone): they are operated at
// once. Within one, the tests run in order (its reload and graceful stop must not overlap the others).
describe.concurrent.each(['nginx', 'haproxy'] as const)('%s operated', (name) => {
  it.sequential('a reload while requests are in flight and new ones arrive: every one answered 200 with its id, and logged', async () => {
    const gateway = gateways[name];
    const base = name === 'nginx' ? 1000 : 2000;
    const slow = Array.from({ length: 4 }, (_, i) => get(gateway.internal, '/api/slow', idFor(base + i)));
    const fast: Promise<{ status: number; id: string; body: string }>[] = [];
    for (let i = 0; i < 40; i++) {
      fast.push(get(gateway.internal, '/api/echo', idFor(base + 100 + i)));
      if (i === 10) await gateway.reload();
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const answers = await Promise.all([...slow, ...fast]);
    const ids = [...slow.map((_, i) => idFor(base + i)), ...fast.map((_, i) => idFor(base + 100 + i))];
    expect(answers).toEqual(ids.map((id) => ({ status: 200, id, body: JSON.stringify({ seen: id }) })));
    for (const id of ids) expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 200 });
  });

  it.sequential.each([
    ['a v4 id, kept lower-cased', (i: number) => idFor(8100 + i).toUpperCase(), true],
    ['a v7 id (not accepted by default)', () => V7_ID, false],
    ['a hostile value', () => '"},"status":200,"x":"\\', false],
    ['two ids in one header', () => `${V4_ID}, ${idFor(9)}`, false],
    ['a 6 KB value', () => 'a'.repeat(6000), false],
  ])(
    '%s: one id in the answer header, body, upstream request and log line (success, 404, 503)',
    async (_k, sent, kept) => {
      const gateway = gateways[name];
      for (const [i, path] of ['/api/echo', '/nope', '/api/stack'].entries()) {
        const exchange = parseExchange(
          await rawHttpExchange(
            gateway.internal,
            `GET ${path} HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${sent(i)}\r\nConnection: close\r\n\r\n`,
          ),
        );
        const [id = ''] = headerValues(exchange, 'x-request-id');
        expect(id).toBe(kept ? sent(i).toLowerCase() : id);
        expect(id).toMatch(UUID_V4);
        if (!kept) expect(id).not.toBe(sent(i));
        if (path === '/api/echo') expect(JSON.parse(exchange.body)).toEqual({ seen: id });
        else
          expectFaultlineAnswer(exchange, path === '/nope' ? 404 : 503, path === '/nope' ? 'NOT_FOUND' : 'UNAVAILABLE');
        expect(await logged(gateway.dir, id)).toMatchObject({
          request_id: id,
          status: i === 0 ? 200 : i === 1 ? 404 : 503,
        });
      }
    },
  );

  it.sequential('an id sent twice is replaced, on the plain and the TLS listener', async () => {
    const gateway = gateways[name];
    const twice = await rawHttpExchange(
      gateway.internal,
      `GET /api/echo HTTP/1.1\r\nHost: a\r\nX-Request-ID: ${V4_ID}\r\nX-Request-ID: ${V4_ID}\r\nConnection: close\r\n\r\n`,
    );
    const overTls = await curl([
      '-k',
      '-H',
      `X-Request-ID: ${V4_ID}`,
      '-H',
      `X-Request-ID: ${idFor(8)}`,
      `https://127.0.0.1:${gateway.port}/api/echo`,
    ]);
    for (const exchange of [parseExchange(twice), overTls]) {
      const [id = ''] = headerValues(exchange, 'x-request-id');
      expect(id).toMatch(UUID_V4);
      expect([V4_ID, idFor(8)]).not.toContain(id);
      expect(JSON.parse(exchange.body)).toEqual({ seen: id });
    }
  });

  it.sequential('hostile bytes in the path, query, User-Agent, Referer, Host and id: every access log line is one UTF-8 JSON object', async () => {
    const gateway = gateways[name];
    const requests = [
      'GET /api/echo/%22%5c%0a%0d%01%1f%7f%ff%c3%28 HTTP/1.1\r\nHost: a\r\n',
      'GET /nope/%0a{"status":1} HTTP/1.1\r\nHost: a\r\n',
      'GET /api/echo?q="\\%0a%00}{ HTTP/1.1\r\nHost: a\r\n',
      'GET /api/echo HTTP/1.1\r\nHost: a\r\nUser-Agent: "\\}{\xff\xc3\x28\r\nReferer: http://x/"\\\xfe\r\n',
      'GET /api/echo HTTP/1.1\r\nHost: a\r\nUser-Agent: \x01\x1f\x7f\r\n',
      'GET /api/echo HTTP/1.1\r\nHost: a"\\\xff\r\n',
      'GET /api/echo HTTP/1.1\r\nHost: a\r\nX-Request-ID: \xff\xfe"\\\r\n',
    ];
    for (const head of requests) await rawHttpExchange(gateway.internal, `${head}Connection: close\r\n\r\n`);
    await curl(['-k', `https://127.0.0.1:${gateway.port}/api/echo/%0a%22%ff?x=%0d%5c`, '-A', '"\\ua', '-e', '\\"']);
    await eventually(() => (logLines(gateway.dir).length >= requests.length ? true : undefined));
    const bytes = readFileSync(join(gateway.dir, 'access.log'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).not.toThrow();
    for (const line of logLines(gateway.dir)) {
      // HAProxy writes one message of its own there: a reload's old process says it stopped.
      if (name === 'haproxy' && /^Proxy \S+ stopped \(cumulated conns: FE: \d+, BE: \d+\)\.$/.test(line)) continue;
      expect(() => JSON.parse(line), line).not.toThrow();
    }
  });

  it.sequential('the query is not logged (it may carry a token): the uri is the path, on both listeners', async () => {
    const gateway = gateways[name];
    const [plain, tls] = [idFor(5800), idFor(5801)];
    await get(gateway.internal, '/api/echo?access_token=s3cr3t&x=%22', plain);
    await curl(['-k', '-H', `X-Request-ID: ${tls}`, `https://127.0.0.1:${gateway.port}/nope?reset=s3cr3t`]);
    expect(await logged(gateway.dir, plain)).toMatchObject({ uri: '/api/echo', status: 200 });
    expect(await logged(gateway.dir, tls)).toMatchObject({ uri: '/nope', status: 404 });
    expect(readFileSync(join(gateway.dir, 'access.log'), 'utf8')).not.toContain('s3cr3t');
  });

  it.sequential('a backend that sends Connection: close on every answer: each request on one kept-alive client connection answered', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 6; i++) {
        const id = idFor((name === 'nginx' ? 3000 : 4000) + i);
        expect(await get(gateways[name].internal, '/api/close', id, agent)).toEqual({
          status: 200,
          id,
          body: '{"closed":true}',
        });
      }
    } finally {
      agent.destroy();
    }
  });

  it.sequential('a backend that stops mid-body: a cut answer, never a whole one (documented)', async () => {
    const gateway = gateways[name];
    // HTTP/1.1: the 200's head with its id, then fewer bytes than its Content-Length (curl: 18,
    // "transfer closed with outstanding read data remaining").
    const [plain, h2] = await Promise.all([
      curl([`http://127.0.0.1:${gateway.internal}/api/stall`]),
      curl(['-k', `https://127.0.0.1:${gateway.port}/api/stall`]),
    ]);
    expect([plain.status, plain.exit]).toEqual([200, 18]);
    expect(plain.body.length).toBeLessThan(100);
    const [id = ''] = headerValues(plain, 'x-request-id');
    expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 200 });
    // HTTP/2: the stream reset (curl: 92); nginx had not even sent the head (it waits for body bytes
    // it was still buffering), HAProxy had.
    expect([h2.status, h2.exit]).toEqual([name === 'nginx' ? 0 : 200, 92]);
    expect(h2.body.length).toBeLessThan(100);
  });

  it.runIf(name === 'nginx').sequential(
    'nginx: the access log moved away and reopened (nginx -s reopen, SIGUSR1)',
    async () => {
      const gateway = gateways[name];
      renameSync(join(gateway.dir, 'access.log'), join(gateway.dir, 'access.log.1'));
      process.kill(Number(readFileSync(join(gateway.dir, 'nginx.pid'), 'utf8')), 'SIGUSR1');
      // The reopen is asynchronous: requests until one is logged in the new file.
      let line: Record<string, unknown> | undefined;
      for (let i = 0; i < 50 && line === undefined; i++) {
        const id = idFor(5000 + i);
        await get(gateway.internal, '/api/echo', id);
        line = await logged(gateway.dir, id, 200);
      }
      expect(line).toMatchObject({ status: 200 });
      for (const text of logLines(gateway.dir)) expect(() => JSON.parse(text)).not.toThrow();
    },
  );

  it.sequential('a graceful stop (nginx SIGQUIT, HAProxy SIGUSR1) with requests in flight: each answered, then the gateway exits', async () => {
    const gateway = gateways[name];
    const base = name === 'nginx' ? 6000 : 7000;
    const slow = Array.from({ length: 3 }, (_, i) => get(gateway.internal, '/api/slow', idFor(base + i)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped =
      name === 'nginx'
        ? gateway.stop()
        : Promise.all(
            haproxies
              .filter((child) => child.exitCode === null && child.signalCode === null)
              .map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGUSR1'))),
          );
    const answers = await Promise.all(slow);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await stopped;
  });
});

// The wait for nginx's idle timeout (4 s) is the longest here: the same generated nginx, one of its
// own in front of the same backend, waits it out while the others are operated (a reload or stop of
// theirs would close the idle connection too, so not that one).
describe.concurrent('nginx: idle backend connections', () => {
  let internal = 0;
  let idle: Gateway | undefined;
  beforeAll(async () => {
    const port = await freePort();
    internal = await freePort();
    idle = await startNginx(port, {
      ...nginxOptions,
      listen: [`127.0.0.1:${port}`],
      internalListen: [`127.0.0.1:${internal}`],
    });
  });
  afterAll(async () => {
    await idle?.stop();
  });

  it("an idle backend connection is closed by the gateway before Node's keep-alive timeout (5 s) closes it", async () => {
    // Otherwise a request the gateway sends as the service closes the connection gets no answer:
    // nginx retries a GET, and answers a POST with the 502 page.
    await get(internal, '/api/idle', idFor(5900));
    expect(await eventually(() => idleCloses[0], 7000)).toBe(true);
  });
});
