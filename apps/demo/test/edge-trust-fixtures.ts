/**
 * Fixtures of the trusted-proxies scenario (issue 23, item 4): real Fastify, Express and ws
 * services on 127.0.0.1 whose id options trust only `127.0.0.1` (the address a gateway on this
 * host connects from), the generated nginx and HAProxy in front of them, and an HTTP client that
 * connects from another loopback address (127.0.0.2), so "through the gateway" and "direct" differ
 * only in the path the request takes.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReporter, type RequestIdOptions } from '@faultline/core/adapter';
import { renderHaproxy, startNginx } from '@faultline/edge';
import { faultline as expressFaultline } from '@faultline/express';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { freePort, memoryLog, recordFor, waitForPort } from '@faultline/testkit';
import { createWsAdapter } from '@faultline/ws';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';

/** The address every test client connects from: not the gateway's. */
export const CLIENT_ADDRESS = '127.0.0.2';
/** The only peer the services trust: the gateways on this host connect to them from it. */
export const TRUSTED: RequestIdOptions = { trustedProxies: ['127.0.0.1'] };

/** A running service or gateway. */
export interface Running {
  readonly port: number;
  stop(): Promise<void>;
}

/** A service and the Faultline records it wrote. */
export interface Service extends Running {
  readonly records: Record<string, unknown>[];
}

/** A gateway and the file its JSON access log goes to. */
export interface Gateway extends Running {
  readonly accessLog: string;
}

/** Polls `find` every 20 ms until it gives a value or `timeoutMs` passes (then undefined). */
export async function eventually<T>(find: () => T | undefined, timeoutMs = 5000): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The service's record of request `id` (full, or its entry in a compact repeat line), waited for. */
export function recordOf(service: Service, id: string): Promise<Record<string, unknown> | undefined> {
  return eventually(() => recordFor(service.records, id));
}

/** The gateway's access log line for `id`, waited for (the gateway writes it as the exchange ends). */
export function accessLineOf(gateway: Gateway, id: string): Promise<Record<string, unknown> | undefined> {
  return eventually(() => {
    let text = '';
    try {
      text = readFileSync(gateway.accessLog, 'utf8');
    } catch {
      return undefined; // not created yet
    }
    return text
      .split('\n')
      .filter((line) => line.startsWith('{') && line.endsWith('}'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.request_id === id);
  });
}

/** One answer: status, the `x-request-id` header and the parsed body. */
export interface Answer {
  readonly status: number;
  readonly id: string | undefined;
  readonly body: Record<string, unknown>;
}

/** GET `path` on 127.0.0.1:`port` from {@link CLIENT_ADDRESS}, with `headers`, on a fresh connection. */
export function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers, localAddress: CLIENT_ADDRESS, agent: false, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          const id = res.headers['x-request-id'];
          resolve({ status: res.statusCode ?? 0, id: typeof id === 'string' ? id : undefined, body: JSON.parse(text) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const FAILURE = 'connect to 10.0.0.5:5432 failed';

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Fastify with the plugin; `/api/fail` throws. Ids trusted per `ids` (given to `faultlineServerOptions`). */
export async function startFastify(ids: RequestIdOptions = TRUSTED): Promise<Service> {
  const log = memoryLog();
  const app = Fastify({ ...faultlineServerOptions(ids), logger: false }) as unknown as FastifyInstance;
  await app.register(faultline, { reporter: createReporter({ logger: log.logger, flushOnExit: false }) });
  app.get('/api/fail', async () => {
    throw new Error(FAILURE);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as { port: number }).port, records: log.records, stop: () => app.close() };
}

/** Express with the middleware; `/api/fail` throws. */
export async function startExpress(ids: RequestIdOptions = TRUSTED): Promise<Service> {
  const log = memoryLog();
  const fl = expressFaultline({ ...ids, reporter: createReporter({ logger: log.logger, flushOnExit: false }) });
  const app = express();
  app.use(fl.requestId);
  app.get('/api/fail', () => {
    throw new Error(FAILURE);
  });
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  const server = await new Promise<Server>((resolve) => {
    const listening: Server = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  server.on('clientError', fl.clientError);
  return { port: (server.address() as { port: number }).port, records: log.records, stop: () => closeServer(server) };
}

/**
 * A ws service on `/ws`: it greets each connection with its id (`{"connection_id": …}`) and fails
 * on any message (a server fault: recorded, and the connection closed).
 */
export async function startWs(ids: RequestIdOptions = TRUSTED): Promise<Service> {
  const log = memoryLog();
  const adapter = createWsAdapter({ ...ids, reporter: createReporter({ logger: log.logger, flushOnExit: false }) });
  const wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    adapter.connection((socket, context) => {
      socket.send(JSON.stringify({ connection_id: context.connectionId }));
      socket.on(
        'message',
        adapter.message(socket, () => {
          throw new Error(FAILURE);
        }),
      );
    }),
  );
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'application/json' }).end('{"status":426}');
  });
  server.on('upgrade', adapter.upgrade(wss));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    records: log.records,
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await closeServer(server);
    },
  };
}

/** The generated nginx (plain listener on a free port) in front of `upstream`. */
export async function startGeneratedNginx(upstream: number): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-trust-nginx-'));
  const port = await freePort();
  const accessLog = join(dir, 'access.log');
  const nginx = await startNginx(dir, { upstreams: [`127.0.0.1:${upstream}`], listen: `127.0.0.1:${port}`, accessLog });
  return { port, accessLog, stop: nginx.stop };
}

/** The generated HAProxy (plain listener on a free port, checked with `haproxy -c`) in front of `upstream`. */
export async function startGeneratedHaproxy(upstream: number): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-trust-haproxy-'));
  const port = await freePort();
  const conf = join(dir, 'haproxy.cfg');
  const accessLog = join(dir, 'access.log');
  writeFileSync(conf, renderHaproxy({ upstreams: [`127.0.0.1:${upstream}`], listen: `127.0.0.1:${port}` }));
  execFileSync('haproxy', ['-c', '-q', '-f', conf], { stdio: 'pipe' });
  const child: ChildProcess = spawn('haproxy', ['-db', '-dR', '-f', conf], {
    stdio: ['ignore', openSync(accessLog, 'a'), 'ignore'],
  });
  await waitForPort(port, 10_000);
  return {
    port,
    accessLog,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGUSR1');
      }),
  };
}
