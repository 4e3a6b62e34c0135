/**
 * The cost of the edge (issue 12): the same Faultline error route (pg-like error, no reporter)
 * loaded directly and through the generated nginx gateway (plain HTTP/1.1, keep-alive upstream),
 * interleaved over rounds. The service and nginx share core 0 (the edge's CPU is paid from the
 * same budget), wrk runs on core 1. Prints the throughput ratio (gateway / direct) and the mean
 * latency of each. BENCH_DURATION (s per run, default 5) and BENCH_ROUNDS (default 3) tune it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningNginx, startNginx } from '@faultline/edge';
import { forkServer, median } from './measure.js';
import { pin, type WrkResult, wrk } from './pinning.js';

const seconds = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const ratiosScript = fileURLToPath(new URL('./ratios.js', import.meta.url));

/** The generated gateway in front of `upstreamPort`, pinned with its worker to the service's core. */
async function startGateway(upstreamPort: number, port: number): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-edge-'));
  const nginx = await startNginx(dir, {
    upstreams: [`127.0.0.1:${upstreamPort}`],
    listen: `127.0.0.1:${port}`,
    accessLog: join(dir, 'access.log'),
  });
  // nginx's master forks its worker: pin both to the service's core.
  const master = nginx.child.pid;
  if (master !== undefined) {
    const workers = execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (const pid of [master, ...workers.map(Number)]) pin(pid, 0);
  }
  return nginx;
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
    await gateway.stop();
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
