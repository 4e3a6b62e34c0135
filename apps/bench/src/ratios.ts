/**
 * The performance table of issues 11 and 22, on one command, bounded in time: each row compares
 * two servers side by side (each in its own process pinned to core 0; wrk or h2load pinned to core
 * 1; the servers of a group of rows interleaved over rounds) in both garbage-collection states
 * (`gc-state.ts`: fresh, and idle for 2 s before the warm-up and between runs), and prints per
 * state the median ratio, its spread (min-max over rounds), both rates, the V8 heap bytes each
 * server allocated per request (measured, `alloc-counter.ts`), and the goal (for the idle state).
 * A round in which other processes used more than 15% of a core (BENCH_QUIET_LIMIT) is repeated once. BENCH_DURATION
 * (s per run, default 3), BENCH_ROUNDS (default 3) and BENCH_STATES (`fresh,idle`) tune it; about
 * 15 minutes with the defaults. BENCH_ROWS (comma-separated row numbers, 1-based) runs only those
 * rows, to iterate on one of them.
 */
import { fileURLToPath } from 'node:url';
import { allocationStart, allocationStop, benchStates, type GcState, settle } from './gc-state.js';
import { grpcLoad } from './grpc-load.js';
import { cpuSeconds, forkServer, gcFigures, median, promoteSoon } from './measure.js';
import { machineJiffies, pin, wrk } from './pinning.js';
import { ROWS, type Row } from './ratio-rows.js';
import { type ServerMode, serve } from './ratio-servers.js';

interface Run {
  readonly rps: number;
  readonly cpuUs: number;
  /** Server time in garbage collection, microseconds per request. */
  readonly gcUs: number;
  /** Server V8 heap bytes allocated per request. */
  readonly bytes: number;
  /** CPU share of one core used by other processes (not the server, not the generator) during the run. */
  readonly otherCpu: number;
}

const only = (process.env.BENCH_ROWS ?? '')
  .split(',')
  .filter((n) => n.trim() !== '')
  .map(Number);
const seconds = Number(process.env.BENCH_DURATION ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const states = benchStates();
const script = fileURLToPath(import.meta.url);
async function load(mode: ServerMode, port: number, duration: number): Promise<number> {
  if (mode.startsWith('grpc')) return grpcLoad(port, duration);
  const path = mode.endsWith('404') ? '/missing' : mode === 'http-stock-success' ? '/ok' : '/fail';
  return (await wrk(`http://127.0.0.1:${port}${path}`, duration, 50)).requests;
}

/**
 * More rounds for the gRPC groups: in the promoted state a 3 s run holds only 10-15
 * mark-compacts, and where they fall moves a run by 10% or more.
 */
const GRPC_EXTRA_ROUNDS = 2;

async function runOnce(mode: ServerMode, state: GcState): Promise<Run> {
  const grpc = mode.startsWith('grpc');
  const server = await forkServer(script, mode, grpc ? ['--expose-gc'] : []);
  await settle(state);
  await load(mode, server.port, 1); // warm-up
  await settle(state);
  const gcBefore = (await gcFigures(server)).gcMs;
  await allocationStart(server);
  const cpuBefore = cpuSeconds(server.pid);
  const machineBefore = machineJiffies();
  const started = Date.now();
  const loading = load(mode, server.port, seconds);
  // gRPC: both servers of a row in the state a long-lived connection reaches.
  if (grpc) promoteSoon(server);
  const requests = await loading;
  const elapsed = (Date.now() - started) / 1000;
  const machineAfter = machineJiffies();
  const serverCpu = cpuSeconds(server.pid) - cpuBefore;
  const allocated = await allocationStop(server);
  const gcMs = (await gcFigures(server)).gcMs - gcBefore;
  await server.stop();
  const busy = (machineAfter.total - machineAfter.idle - (machineBefore.total - machineBefore.idle)) / 100;
  // The generator saturates its own core at most: what is left beyond server + one core is someone else.
  const other = Math.max(0, busy - serverCpu - elapsed) / elapsed;
  const perRequest = (seconds: number) => (seconds * 1e6) / Math.max(1, requests);
  return {
    rps: requests / elapsed,
    cpuUs: perRequest(serverCpu),
    gcUs: perRequest(gcMs / 1000),
    bytes: allocated / Math.max(1, requests),
    otherCpu: other,
  };
}

/** Share of a core other processes may use during a run before it is repeated (once); BENCH_QUIET_LIMIT. */
const QUIET_LIMIT = Number(process.env.BENCH_QUIET_LIMIT ?? 0.15);

async function quietRun(mode: ServerMode, state: GcState): Promise<Run> {
  const first = await runOnce(mode, state);
  return first.otherCpu > QUIET_LIMIT ? runOnce(mode, state) : first;
}

function spread(values: readonly number[]): string {
  return `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  const anchor: Run[] = [];
  const anchorRounds = only.length > 0 ? 0 : rounds;
  for (let round = 0; round < anchorRounds; round += 1) anchor.push(await quietRun('http-stock-success', 'fresh'));
  const [load1, load5] = (await import('node:os')).loadavg();
  console.log(
    `\nratios: server pinned to core 0, wrk/h2load on core 1, ${seconds}s runs, ${rounds} interleaved rounds, states ${states.join('+')} (load average at start ${load1?.toFixed(2)} / ${load5?.toFixed(2)})`,
  );
  if (anchor.length > 0)
    console.log(
      `anchor: stock Fastify success ${median(anchor.map((r) => r.rps)).toFixed(0)} req/s on one core, fresh state (the seed's figure: 50k req/s per node)`,
    );
  console.log(
    `${'comparison'.padEnd(84)} ${'state'.padEnd(5)} ${'ratio'.padStart(6)} ${'spread'.padStart(10)} ${'rps subj/base'.padStart(15)} ${'B/req subj/base'.padStart(16)} ${'GC us/req s/b'.padStart(14)} ${'goal'.padStart(6)}  verdict`,
  );
  const selected = ROWS.filter((_row, index) => only.length === 0 || only.includes(index + 1));
  for (const group of new Set(selected.map((row) => row.group))) {
    const rows = selected.filter((row) => row.group === group);
    const modes = [...new Set(rows.flatMap((row) => [row.baseline, row.subject]))];
    const runs = new Map<string, Run[]>();
    const groupRounds = group.startsWith('grpc') ? rounds + GRPC_EXTRA_ROUNDS : rounds;
    for (let round = 0; round < groupRounds; round += 1)
      for (const state of states)
        for (const mode of modes) {
          const key = `${state}:${mode}`;
          runs.set(key, [...(runs.get(key) ?? []), await quietRun(mode, state)]);
        }
    for (const row of rows)
      for (const state of states)
        printRow(row, state, runs.get(`${state}:${row.subject}`) ?? [], runs.get(`${state}:${row.baseline}`) ?? []);
  }
}

/** One line of the table: the median of the per-round ratios, their spread, rates, bytes, GC and the verdict. */
function printRow(row: Row, state: GcState, subject: readonly Run[], baseline: readonly Run[]): void {
  const ratios = subject.map((s, i) => s.rps / (baseline[i]?.rps ?? Number.NaN));
  const ratio = median(ratios);
  const pair = (pick: (r: Run) => number, digits: number) =>
    `${median(subject.map(pick)).toFixed(digits)}/${median(baseline.map(pick)).toFixed(digits)}`;
  const judged = row.goal !== undefined && state === 'idle';
  const goal = (row.goal === undefined ? '-' : `>=${row.goal}`).padStart(6);
  // Rounds more than 25% apart: the machine, not the code, decided the ratio.
  const noisy = Math.max(...ratios) > 1.25 * Math.min(...ratios) ? ' (noisy: rounds >25% apart)' : '';
  const verdict = `${judged ? (ratio >= (row.goal ?? 0) ? 'met' : 'NOT met') : 'information'}${noisy}`;
  const label = state === states[0] ? row.label : '';
  console.log(
    `${label.padEnd(84)} ${state.padEnd(5)} ${ratio.toFixed(2).padStart(6)} ${spread(ratios).padStart(10)} ${pair((r) => r.rps, 0).padStart(15)} ${pair((r) => r.bytes, 0).padStart(16)} ${pair((r) => r.gcUs, 1).padStart(14)} ${goal}  ${verdict}`,
  );
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as ServerMode);
else await main();
