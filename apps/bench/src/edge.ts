/**
 * What the gateway costs (issues 12 and 23): the same Faultline error route (pg-like error, no
 * reporter) loaded through the generated nginx and HAProxy and through a bare proxy of each that
 * writes the same JSON access log, interleaved over rounds, plus the service direct for context.
 * The service and the gateway share core 0 (the gateway's CPU is paid from the service's budget),
 * wrk runs on core 1. Prints generated / bare throughput per gateway (goal: at least 0.90) and the
 * gateway's own CPU per request. BENCH_DURATION (s per run, default 5) and BENCH_ROUNDS (default 3).
 */
import { freePort } from '@faultline/testkit/ports';
import { type BenchGateway, bareHaproxy, bareNginx, generatedHaproxy, generatedNginx } from './edge-gateways.js';
import { forkServer, median } from './measure.js';
import { machineJiffies, pin, wrk } from './pinning.js';

const seconds = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const ratiosScript = new URL('./ratios.js', import.meta.url).pathname;
const GOAL = 0.9;

type Row = 'direct' | 'bare nginx' | 'generated nginx' | 'bare HAProxy' | 'generated HAProxy';

interface Sample {
  readonly rps: number;
  /** Gateway CPU microseconds per request (NaN for direct). */
  readonly cpuUs: number;
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  const server = await forkServer(ratiosScript, 'http-faultline-error');
  const [p1, p2, p3, p4] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const gateways: Record<Exclude<Row, 'direct'>, BenchGateway> = {
    'bare nginx': await bareNginx(server.port, p1 as number, 0),
    'generated nginx': await generatedNginx(server.port, p2 as number, 0),
    'bare HAProxy': await bareHaproxy(server.port, p3 as number, 0),
    'generated HAProxy': await generatedHaproxy(server.port, p4 as number, 0),
  };
  const rows: Row[] = ['direct', ...(Object.keys(gateways) as Row[])];
  const samples = new Map<Row, Sample[]>(rows.map((row) => [row, []]));
  const url = (row: Row) =>
    `http://127.0.0.1:${row === 'direct' ? server.port : gateways[row as Exclude<Row, 'direct'>].port}/fail`;
  const busy: number[] = [];
  try {
    for (const row of rows) await wrk(url(row), 1, 50);
    for (let round = 0; round < rounds; round += 1) {
      for (const row of rows) {
        const gateway = row === 'direct' ? undefined : gateways[row];
        const cpuBefore = gateway?.cpu() ?? 0;
        const before = machineJiffies();
        const result = await wrk(url(row), seconds, 50);
        const after = machineJiffies();
        busy.push(1 - (after.idle - before.idle) / Math.max(1, after.total - before.total));
        const cpuUs = gateway === undefined ? Number.NaN : ((gateway.cpu() - cpuBefore) * 1e6) / result.requests;
        samples.get(row)?.push({ rps: result.rps, cpuUs });
      }
    }
  } finally {
    for (const gateway of Object.values(gateways)) await gateway.stop();
    await server.stop();
  }
  const rps = (row: Row) => samples.get(row)?.map((s) => s.rps) ?? [];
  const perRound = (row: Row, base: Row) => rps(row).map((value, i) => value / (rps(base)[i] ?? Number.NaN));
  console.log(`\nedge: service and gateway on core 0, wrk on core 1, ${seconds}s runs, ${rounds} interleaved rounds`);
  console.log(`machine busy during runs (all cores): median ${(median(busy) * 100).toFixed(0)}%`);
  for (const row of rows) {
    const cpu = median(samples.get(row)?.map((s) => s.cpuUs) ?? []);
    console.log(
      `${row.padEnd(18)} ${median(rps(row)).toFixed(0).padStart(7)} req/s${Number.isNaN(cpu) ? '' : `, gateway CPU ${cpu.toFixed(1)} µs/request`}`,
    );
  }
  for (const [generated, bare] of [
    ['generated nginx', 'bare nginx'],
    ['generated HAProxy', 'bare HAProxy'],
  ] as const) {
    const ratios = perRound(generated, bare);
    console.log(
      `${generated} / ${bare}: throughput ratio ${median(ratios).toFixed(2)} (spread ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}; goal >= ${GOAL.toFixed(2)})`,
    );
  }
}

await main();
