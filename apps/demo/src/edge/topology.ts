/**
 * The edge topology, started by one call: the generated nginx gateway -> the orders API (Fastify,
 * and the WebSocket endpoint `/ws`) -> the inventory service (gRPC) -> a data layer failing like
 * PostgreSQL. The gateway also routes `demo.Inventory` calls straight to the inventory service on
 * its cleartext HTTP/2 listener. Each service is its own process with its own OpenTelemetry SDK,
 * and keeps incoming ids only from 127.0.0.1, the address the gateway (and the orders API)
 * connects from; every log and span file is in `dir`.
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
  /** The gateway's port (plain HTTP/1.1 and WebSocket on 127.0.0.1). */
  readonly port: number;
  /** The gateway's gRPC port (cleartext HTTP/2 on 127.0.0.1, `demo.Inventory` only). */
  readonly grpcPort: number;
  /** The services' own ports (HTTP and ws; gRPC), reachable without the gateway as on a flat network. */
  readonly services: { readonly api: number; readonly inventory: number };
  readonly files: TopologyFiles;
  /** Stops the inventory service alone (SIGTERM), leaving the gateway to answer its calls. */
  stopInventory(): Promise<void>;
  /** Stops the gateway and both services (SIGQUIT / SIGTERM) and waits for them to exit. */
  stop(): Promise<void>;
}

/** The address the gateway connects to the services from: the only peer whose ids they keep. */
const GATEWAY_ADDRESS = '127.0.0.1';
/** The gRPC service the gateway routes, by its real name. */
const INVENTORY_SERVICE = 'demo.Inventory';

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

/**
 * Starts the topology with its files in `dir` (created if missing), the gateway on `port` and its
 * gRPC listener on `grpcPort` (default: free ones).
 */
export async function startTopology(dir: string, port?: number, grpcPort?: number): Promise<Topology> {
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
    FAULTLINE_TRUSTED_PROXIES: GATEWAY_ADDRESS,
  });
  const api = await startService('orders-api', {
    FAULTLINE_RECORDS: files.apiRecords,
    FAULTLINE_TRUSTED_PROXIES: GATEWAY_ADDRESS,
    FAULTLINE_SPANS: files.apiSpans,
    FAULTLINE_INVENTORY: `127.0.0.1:${inventory.port}`,
  });
  const gatewayPort = port ?? (await freePort());
  const gatewayGrpcPort = grpcPort ?? (await freePort());
  const stopServices = () => Promise.all([exited(api.child, 'SIGTERM'), exited(inventory.child, 'SIGTERM')]);
  let nginx: RunningNginx;
  try {
    nginx = await startNginx(
      dir,
      {
        upstreams: [`127.0.0.1:${api.port}`],
        listen: `127.0.0.1:${gatewayPort}`,
        routes: ['/api/', '/ws'],
        accessLog: files.gatewayLog,
        grpc: {
          upstreams: [`127.0.0.1:${inventory.port}`],
          services: [INVENTORY_SERVICE],
          listen: [`127.0.0.1:${gatewayGrpcPort}`],
        },
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
  return {
    port: gatewayPort,
    grpcPort: gatewayGrpcPort,
    services: { api: api.port, inventory: inventory.port },
    files,
    stopInventory: () => exited(inventory.child, 'SIGTERM'),
    stop,
  };
}
