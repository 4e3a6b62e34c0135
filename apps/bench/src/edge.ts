/**
 * The cost of the edge (issue 12): the same Faultline error route (pg-like error, no reporter)
 * loaded directly and through the generated nginx gateway (plain HTTP/1.1, keep-alive upstream),
 * interleaved over rounds. The service and nginx share core 0 (the edge's CPU is paid from the
 * same budget), wrk runs on core 1. Prints the throughput ratio (gateway / direct) and the mean
 * latency of each. BENCH_DURATION (s per run, default 5) and BENCH_ROUNDS (default 3) tune it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderNginx } from '@faultline/edge';
import { forkServer, median } from './measure.js';
import { pin, type WrkResult, wrk } from './pinning.js';

const seconds = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const ratiosScript = fileURLToPath(new URL('./ratios.js', import.meta.url));

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
  throw new Error(`nothing listens on ${port}`);
}

async function startGateway(upstreamPort: number, port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-edge-'));
  mkdirSync(join(dir, 'tmp'));
  const files = renderNginx({
    upstreams: [`127.0.0.1:${upstreamPort}`],
    listen: `127.0.0.1:${port}`,
    directory: dir,
    accessLog: join(dir, 'access.log'),
  });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const child = spawn('nginx', ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'ignore',
  });
  await listening(port);
  // nginx's master forks its worker: pin both to the service's core.
  if (child.pid !== undefined) {
    const workers = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (const pid of [child.pid, ...workers.map(Number)]) pin(pid, 0);
  }
  return child;
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  const server = await forkServer(ratiosScript, 'http-faultline-error');
  const gatewayPort = 18_000 + (process.pid % 2000);
  const gateway = await startGateway(server.port, gatewayPort);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const direct: WrkResult[] = [];
  const edge: WrkResult[] = [];
  try {
    await wrk(`http://127.0.0.1:${server.port}/fail`, 1, 50);
    await wrk(`http://127.0.0.1:${gatewayPort}/fail`, 1, 50);
    for (let round = 0; round < rounds; round += 1) {
      direct.push(await wrk(`http://127.0.0.1:${server.port}/fail`, seconds, 50));
      edge.push(await wrk(`http://127.0.0.1:${gatewayPort}/fail`, seconds, 50));
    }
  } finally {
    gateway.kill('SIGQUIT');
    await server.stop();
  }
  const ratios = edge.map((e, i) => e.rps / (direct[i]?.rps ?? Number.NaN));
  console.log(`\nedge: service and nginx on core 0, wrk on core 1, ${seconds}s runs, ${rounds} interleaved rounds`);
  console.log(
    `Faultline error route through the generated nginx / direct: throughput ratio ${median(ratios).toFixed(2)} (spread ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}), ${median(edge.map((e) => e.rps)).toFixed(0)}/${median(direct.map((d) => d.rps)).toFixed(0)} req/s`,
  );
  console.log(
    `mean latency at 50 connections: direct ${median(direct.map((d) => d.latencyMs)).toFixed(2)} ms, through nginx ${median(edge.map((e) => e.latencyMs)).toFixed(2)} ms`,
  );
}

await main();
