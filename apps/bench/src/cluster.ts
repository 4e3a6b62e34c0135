/**
 * `bench:cluster` (issue 22 item 5): per-node capacity of Faultline's error paths (HTTP error
 * route, HTTP 404, gRPC unary error) with `node:cluster`, one worker and then two workers (this
 * machine has two cores). One worker runs on core 0 with the load generator on core 1; with two
 * workers the second runs on core 1 beside the generator, so the two-worker figure is a lower
 * bound (the generator takes part of that core). Each run prints the rate, the workers' CPU per
 * answer, and what that CPU cost means for 50,000 answers per second: cores = 50,000 x CPU per
 * answer. Servers sit idle 2 s before their warm-up and between runs (the idle GC state, see
 * `gc-state.ts`); BENCH_STATES=fresh,idle measures both. BENCH_DURATION (s, default 3) and
 * BENCH_ROUNDS (default 3) tune it.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GC_STATES, type GcState, settle } from './gc-state.js';
import { grpcLoad } from './grpc-load.js';
import { cpuSeconds, forkServer, median } from './measure.js';
import { pin, wrk } from './pinning.js';
import { type ServerMode, serve } from './ratio-servers.js';

const PATHS = {
  'HTTP error route (Fastify)': 'http-faultline-error',
  'HTTP 404 (Fastify)': 'http-faultline-404',
  'gRPC unary error': 'grpc-faultline-error',
} as const satisfies Record<string, ServerMode>;
type PathLabel = keyof typeof PATHS;
const WORKER_COUNTS = [1, 2] as const;
const TARGET = 50_000;
const seconds = Number(process.env.BENCH_DURATION ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const states = (process.env.BENCH_STATES ?? 'idle')
  .split(',')
  .filter((s): s is GcState => (GC_STATES as readonly string[]).includes(s));
const script = fileURLToPath(import.meta.url);

/** Primary of `serve <mode>@<workers>`: forks the workers and reports their shared port. */
async function primary(mode: ServerMode, workers: number): Promise<void> {
  const ports = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<number>((resolve) => {
          const worker = cluster.fork({ BENCH_CLUSTER_MODE: mode });
          worker.once('message', (m) => resolve((m as { port: number }).port));
        }),
    ),
  );
  process.send?.({ port: ports[0] });
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    process.exit(0);
  };
  process.on('message', stop);
  process.on('disconnect', stop);
}

async function load(mode: ServerMode, port: number, duration: number): Promise<number> {
  // Several connections, so the cluster's round robin spreads them over the workers.
  if (mode.startsWith('grpc')) return grpcLoad(port, duration, 4);
  const path = mode.endsWith('404') ? '/missing' : '/fail';
  return (await wrk(`http://127.0.0.1:${port}${path}`, duration, 50)).requests;
}

interface Run {
  readonly rps: number;
  /** Workers' and primary's CPU microseconds per answer. */
  readonly cpuUs: number;
}

async function runOnce(mode: ServerMode, workers: number, state: GcState): Promise<Run> {
  const server = await forkServer(script, `${mode}@${workers}`);
  const pids = readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter((pid) => pid !== '')
    .map(Number);
  for (const [index, pid] of pids.entries()) pin(pid, index % 2);
  const all = [server.pid, ...pids];
  const cpu = () => all.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  await settle(state);
  await load(mode, server.port, 1);
  await settle(state);
  const before = cpu();
  const started = Date.now();
  const requests = await load(mode, server.port, seconds);
  const elapsed = (Date.now() - started) / 1000;
  const used = cpu() - before;
  await server.stop();
  return { rps: requests / elapsed, cpuUs: (used * 1e6) / Math.max(1, requests) };
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  const [one, five] = loadavg();
  console.log(
    `\ncluster: node:cluster workers (1 on core 0; 2 on cores 0 and 1), wrk/h2load on core 1, ${seconds}s runs, ${rounds} rounds, states ${states.join('+')} (load average ${one?.toFixed(2)} / ${five?.toFixed(2)})`,
  );
  console.log('caveat: with 2 workers the load generator shares core 1 with the second worker (a lower bound).');
  console.log(
    `${'error path'.padEnd(28)} ${'state'.padEnd(5)} ${'1 worker'.padStart(9)} ${'2 workers'.padStart(10)} ${'scaling'.padStart(8)} ${'CPU us/answer'.padStart(14)} ${`cores for ${TARGET / 1000}k/s`.padStart(16)}`,
  );
  for (const label of Object.keys(PATHS) as PathLabel[]) {
    const mode = PATHS[label];
    for (const state of states) {
      const runs = new Map<number, Run[]>(WORKER_COUNTS.map((n) => [n, []]));
      for (let round = 0; round < rounds; round += 1)
        for (const workers of WORKER_COUNTS) runs.get(workers)?.push(await runOnce(mode, workers, state));
      const rate = (n: number) => median((runs.get(n) ?? []).map((r) => r.rps));
      const cpuUs = median((runs.get(1) ?? []).map((r) => r.cpuUs));
      console.log(
        `${label.padEnd(28)} ${state.padEnd(5)} ${rate(1).toFixed(0).padStart(9)} ${rate(2).toFixed(0).padStart(10)} ${(rate(2) / rate(1)).toFixed(2).padStart(8)} ${cpuUs.toFixed(1).padStart(14)} ${((TARGET * cpuUs) / 1e6).toFixed(2).padStart(16)}`,
      );
    }
  }
}

if (cluster.isWorker) await serve(process.env.BENCH_CLUSTER_MODE as ServerMode);
else if (process.argv[2] === 'serve') {
  const [mode, workers] = (process.argv[3] ?? '').split('@');
  await primary(mode as ServerMode, Number(workers ?? 1));
} else await main();
