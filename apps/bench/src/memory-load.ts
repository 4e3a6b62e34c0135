/**
 * The mixed load of `bench:memory`: a fixed number of operations cycling through success, a
 * pg-style error, a route or method that does not exist, and a thrown string, from a few
 * concurrent clients, bounded in time. Resolves with the operations completed.
 */
import { execFile } from 'node:child_process';
import { WebSocket } from 'ws';
import { grpcBody } from './grpc-load.js';
import type { Framework } from './memory-servers.js';

const CONCURRENCY = 8;
const PATHS = ['/ok', '/fail', '/missing', '/text'] as const;
const GRPC_PATHS = ['Get', 'Fail', 'Missing', 'Text'].map((method) => `/bench.Orders/${method}`);
const WS_KINDS = ['ok', 'fail', 'other', 'text'] as const;

/**
 * h2load (C, so the client's own cost does not bound the load on a busy machine) sending `total`
 * requests over CONCURRENCY connections, cycling through `urls`; resolves with the requests done.
 */
function h2loadCount(
  urls: readonly string[],
  total: number,
  timeoutMs: number,
  extra: readonly string[],
): Promise<number> {
  return new Promise((resolve) => {
    const args = [...extra, '-n', String(total), '-c', String(CONCURRENCY), '-T', '5', ...urls];
    const proc = execFile('h2load', args, { timeout: timeoutMs }, (_error, stdout) => {
      resolve(Number(/requests: \d+ total, \d+ started, (\d+) done/.exec(String(stdout))?.[1] ?? 0));
    });
    proc.stdin?.end();
  });
}

function http(port: number, total: number, deadline: number): Promise<number> {
  const urls = PATHS.map((path) => `http://127.0.0.1:${port}${path}`);
  return h2loadCount(urls, total, deadline - Date.now(), ['--h1']);
}

function grpc(port: number, total: number, deadline: number): Promise<number> {
  const urls = GRPC_PATHS.map((path) => `http://127.0.0.1:${port}${path}`);
  const headers = ['-H', 'content-type: application/grpc', '-H', 'te: trailers', '-d', grpcBody()];
  return h2loadCount(urls, total, deadline - Date.now(), headers);
}

/** One ws client lane: a socket that reconnects after each close (a thrown string closes it). */
function wsLane(port: number): { send(kind: string): Promise<void>; close(): void } {
  let socket: WebSocket | undefined;
  let pending: (() => void) | undefined;
  const settle = () => {
    const resolve = pending;
    pending = undefined;
    resolve?.();
  };
  const open = () =>
    new Promise<WebSocket>((resolve) => {
      const next = new WebSocket(`ws://127.0.0.1:${port}/`);
      next.on('message', settle);
      next.on('close', () => {
        if (socket === next) socket = undefined;
        settle();
      });
      next.on('error', settle);
      next.on('open', () => resolve(next));
    });
  return {
    async send(kind) {
      if (socket === undefined || socket.readyState !== WebSocket.OPEN) socket = await open();
      const current = socket;
      await new Promise<void>((resolve) => {
        pending = resolve;
        current.send(JSON.stringify({ kind }));
      });
    },
    close: () => socket?.close(),
  };
}

async function ws(port: number, total: number, deadline: number): Promise<number> {
  const clients = Array.from({ length: CONCURRENCY }, () => wsLane(port));
  let lane = 0;
  // Each lane drives its own socket: operations are taken in turn, one in flight per socket.
  const byLane = clients.map(() => Promise.resolve());
  let done = 0;
  for (let index = 0; index < total && Date.now() < deadline; index += 1) {
    const at = lane;
    lane = (lane + 1) % clients.length;
    const client = clients[at];
    byLane[at] = (byLane[at] ?? Promise.resolve()).then(async () => {
      if (Date.now() >= deadline) return;
      await client?.send(WS_KINDS[index % WS_KINDS.length] ?? 'ok');
      done += 1;
    });
    if (at === clients.length - 1) await Promise.all(byLane);
  }
  await Promise.all(byLane);
  for (const client of clients) client.close();
  return done;
}

/** Sends `total` mixed operations to `framework` on `port`, stopping at `timeoutMs`; resolves with those done. */
export function mixedLoad(framework: Framework, port: number, total: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const drive: Record<Framework, (port: number, total: number, deadline: number) => Promise<number>> = {
    fastify: http,
    express: http,
    grpc,
    ws,
  };
  return drive[framework](port, total, deadline);
}
