/**
 * The edge topology, started by one call: the generated nginx gateway -> the orders API (Fastify)
 * -> the inventory service (gRPC) -> a data layer failing like PostgreSQL. Each service is its own
 * process with its own OpenTelemetry SDK; every log and span file is in `dir`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningNginx, startNginx } from '@faultline/edge';

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
  mkdirSync(dir, { recursive: true });
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
  const stopServices = () => Promise.all([exited(api.child, 'SIGTERM'), exited(inventory.child, 'SIGTERM')]);
  let nginx: RunningNginx;
  try {
    nginx = await startNginx(
      dir,
      {
        upstreams: [`127.0.0.1:${api.port}`],
        listen: `127.0.0.1:${gatewayPort}`,
        routes: ['/api/'],
        accessLog: files.gatewayLog,
      },
      ['ignore', 'inherit', 'inherit'],
    );
  } catch (error) {
    await stopServices();
    throw error;
  }
  const stop = async () => {
    await Promise.all([nginx.stop(), stopServices()]);
  };
  return { port: gatewayPort, files, stop };
}
