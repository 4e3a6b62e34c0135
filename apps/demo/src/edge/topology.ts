/**
 * The edge topology, started by one call: the generated nginx gateway -> the orders API (Fastify)
 * -> the inventory service (gRPC) -> a data layer failing like PostgreSQL. Each service is its own
 * process with its own OpenTelemetry SDK; every log and span file is in `dir`.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderNginx } from '@faultline/edge';

/** Where each part of the topology writes. */
export interface TopologyFiles {
  /** The gateway's JSON access log. */
  readonly gatewayLog: string;
  readonly apiRecords: string;
  readonly apiSpans: string;
  readonly inventoryRecords: string;
  readonly inventorySpans: string;
}

/** A running topology. */
export interface Topology {
  /** The gateway's port (plain HTTP on 127.0.0.1). */
  readonly port: number;
  readonly files: TopologyFiles;
  /** Stops the gateway and both services (SIGQUIT / SIGTERM) and waits for them to exit. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function listening(port: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the gateway did not start on ${port}`);
}

function startService(name: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(new URL(`./${name}.js`, import.meta.url)), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: (m as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
}

function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Starts the topology with its files in `dir` (created if missing) and the gateway on `port` (default: a free one). */
export async function startTopology(dir: string, port?: number): Promise<Topology> {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const files: TopologyFiles = {
    gatewayLog: join(dir, 'gateway-access.log'),
    apiRecords: join(dir, 'orders-api.log'),
    apiSpans: join(dir, 'orders-api-spans.jsonl'),
    inventoryRecords: join(dir, 'inventory.log'),
    inventorySpans: join(dir, 'inventory-spans.jsonl'),
  };
  const inventory = await startService('inventory-service', {
    FAULTLINE_RECORDS: files.inventoryRecords,
    FAULTLINE_SPANS: files.inventorySpans,
  });
  const api = await startService('orders-api', {
    FAULTLINE_RECORDS: files.apiRecords,
    FAULTLINE_SPANS: files.apiSpans,
    FAULTLINE_INVENTORY: `127.0.0.1:${inventory.port}`,
  });
  const gatewayPort = port ?? (await freePort());
  const config = renderNginx({
    upstreams: [`127.0.0.1:${api.port}`],
    listen: `127.0.0.1:${gatewayPort}`,
    routes: ['/api/'],
    directory: dir,
    accessLog: files.gatewayLog,
  });
  for (const [name, text] of Object.entries(config)) writeFileSync(join(dir, name), text);
  const nginx = spawn('nginx', ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async () => {
    await Promise.all([exited(nginx, 'SIGQUIT'), exited(api.child, 'SIGTERM'), exited(inventory.child, 'SIGTERM')]);
  };
  try {
    await listening(gatewayPort);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port: gatewayPort, files, stop };
}
