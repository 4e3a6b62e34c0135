/**
 * The performance table of issue 11, on one command, bounded in time: each row compares two
 * servers side by side (each in its own process pinned to core 0; wrk or h2load pinned to core 1;
 * the servers of a group of rows interleaved over rounds) and prints the median ratio, its spread
 * (min-max over rounds), server CPU per request, server time in garbage collection per request,
 * and the goal. A round in which other processes used more than 15% of a core is repeated once. BENCH_DURATION (s per run, default 3) and
 * BENCH_ROUNDS (default 4) tune it; about 7 minutes with the defaults. BENCH_ROWS (comma-separated
 * row numbers, 1-based) runs only those rows, to iterate on one of them.
 */
import { fileURLToPath } from 'node:url';
import { grpcLoad } from './grpc-load.js';
import { cpuSeconds, forkServer, gcFigures, median, promoteSoon } from './measure.js';
import { machineJiffies, pin, wrk } from './pinning.js';
import { type ServerMode, serve } from './ratio-servers.js';

interface Run {
  readonly rps: number;
  readonly cpuUs: number;
  /** Server time in garbage collection, microseconds per request. */
  readonly gcUs: number;
  /** CPU share of one core used by other processes (not the server, not the generator) during the run. */
  readonly otherCpu: number;
}

interface Row {
  readonly label: string;
  /**
   * Rows of one group share their runs: each round runs every mode of the group once, back to
   * back, and each row divides two of them (a floor row costs one more mode, not two more runs).
   */
  readonly group: string;
  readonly subject: ServerMode;
  readonly baseline: ServerMode;
  /** The goal the ratio must reach; `undefined` for rows printed as information. */
  readonly goal: number | undefined;
}

const ROWS: readonly Row[] = [
  {
    label: 'HTTP error route, Faultline (no reporter) / stock default handler, logger off',
    group: 'http-error',
    subject: 'http-faultline-error',
    baseline: 'http-stock-error',
    goal: 1.0,
  },
  {
    label: "HTTP error floor: stock Fastify sending Faultline's bytes by hand / stock",
    group: 'http-error',
    subject: 'http-floor-error',
    baseline: 'http-stock-error',
    goal: undefined,
  },
  {
    label: 'HTTP error route, Faultline / that floor (Faultline own per-request work)',
    group: 'http-error',
    subject: 'http-faultline-error',
    baseline: 'http-floor-error',
    goal: undefined,
  },
  {
    label: 'HTTP 404, Faultline / stock Fastify 404',
    group: 'http-404',
    subject: 'http-faultline-404',
    baseline: 'http-stock-404',
    goal: 1.0,
  },
  {
    label: "HTTP 404 floor: stock Fastify sending Faultline's 404 bytes by hand / stock",
    group: 'http-404',
    subject: 'http-floor-404',
    baseline: 'http-stock-404',
    goal: undefined,
  },
  {
    label: 'HTTP 404, Faultline / that floor (Faultline own per-request work)',
    group: 'http-404',
    subject: 'http-faultline-404',
    baseline: 'http-floor-404',
    goal: undefined,
  },
  {
    label: 'HTTP error route, Faultline reporter to a file / stock with pino at info',
    group: 'reporter',
    subject: 'http-faultline-reporter-file',
    baseline: 'http-stock-pino-info',
    goal: 2.5,
  },
  {
    label: 'gRPC unary error, Faultline / plain grpc-js callback(err), h2load -c1 -m50',
    group: 'grpc-error',
    subject: 'grpc-faultline-error',
    baseline: 'grpc-plain-error',
    goal: 0.95,
  },
  {
    label: "gRPC floor: plain grpc-js sending Faultline's two trailers by hand / plain",
    group: 'grpc-error',
    subject: 'grpc-plain-error-trailers',
    baseline: 'grpc-plain-error',
    goal: undefined,
  },
  {
    label: 'gRPC unary error, Faultline / that floor (Faultline own per-call work)',
    group: 'grpc-error',
    subject: 'grpc-faultline-error',
    baseline: 'grpc-plain-error-trailers',
    goal: undefined,
  },
  {
    label: 'gRPC unary success, wrapped / plain',
    group: 'grpc-ok',
    subject: 'grpc-faultline-ok',
    baseline: 'grpc-plain-ok',
    goal: 0.97,
  },
  {
    label: 'Express error, Faultline (reporter to a file) / default handler (production)',
    group: 'express',
    subject: 'express-faultline-file',
    baseline: 'express-default-production',
    goal: undefined,
  },
  {
    label: "Express error, Faultline (reporter to a file) / the seed's console.error(err.stack)",
    group: 'express',
    subject: 'express-faultline-file',
    baseline: 'express-seed-console',
    goal: undefined,
  },
];

const only = (process.env.BENCH_ROWS ?? '')
  .split(',')
  .filter((n) => n.trim() !== '')
  .map(Number);
const seconds = Number(process.env.BENCH_DURATION ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
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

async function runOnce(mode: ServerMode): Promise<Run> {
  const grpc = mode.startsWith('grpc');
  const server = await forkServer(script, mode, grpc ? ['--expose-gc'] : []);
  await load(mode, server.port, 1); // warm-up
  const gcBefore = (await gcFigures(server)).gcMs;
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
  const gcMs = (await gcFigures(server)).gcMs - gcBefore;
  await server.stop();
  const busy = (machineAfter.total - machineAfter.idle - (machineBefore.total - machineBefore.idle)) / 100;
  // The generator saturates its own core at most: what is left beyond server + one core is someone else.
  const other = Math.max(0, busy - serverCpu - elapsed) / elapsed;
  const perRequest = (seconds: number) => (seconds * 1e6) / Math.max(1, requests);
  return { rps: requests / elapsed, cpuUs: perRequest(serverCpu), gcUs: perRequest(gcMs / 1000), otherCpu: other };
}

async function quietRun(mode: ServerMode): Promise<Run> {
  const first = await runOnce(mode);
  return first.otherCpu > 0.15 ? runOnce(mode) : first;
}

function spread(values: readonly number[]): string {
  return `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  const anchor: Run[] = [];
  const anchorRounds = only.length > 0 ? 0 : rounds;
  for (let round = 0; round < anchorRounds; round += 1) anchor.push(await quietRun('http-stock-success'));
  console.log(
    `\nratios: server pinned to core 0, wrk/h2load on core 1, ${seconds}s runs, ${rounds} interleaved rounds`,
  );
  if (anchor.length > 0)
    console.log(
      `anchor: stock Fastify success ${median(anchor.map((r) => r.rps)).toFixed(0)} req/s on one core (the seed's figure: 50k req/s per node)`,
    );
  console.log(
    `${'comparison'.padEnd(84)} ${'ratio'.padStart(6)} ${'spread'.padStart(10)} ${'CPU ratio'.padStart(9)} ${'rps subj/base'.padStart(15)} ${'GC us/req subj/base'.padStart(20)} ${'goal'.padStart(6)}  verdict`,
  );
  const selected = ROWS.filter((_row, index) => only.length === 0 || only.includes(index + 1));
  for (const group of new Set(selected.map((row) => row.group))) {
    const rows = selected.filter((row) => row.group === group);
    const modes = [...new Set(rows.flatMap((row) => [row.baseline, row.subject]))];
    const runs = new Map<ServerMode, Run[]>(modes.map((mode) => [mode, []]));
    const groupRounds = group.startsWith('grpc') ? rounds + GRPC_EXTRA_ROUNDS : rounds;
    for (let round = 0; round < groupRounds; round += 1) {
      for (const mode of modes) runs.get(mode)?.push(await quietRun(mode));
    }
    for (const row of rows) printRow(row, runs.get(row.subject) ?? [], runs.get(row.baseline) ?? []);
  }
}

/** One line of the table: the median of the per-round ratios, their spread, CPU, GC and the verdict. */
function printRow(row: Row, subject: readonly Run[], baseline: readonly Run[]): void {
  const ratios = subject.map((s, i) => s.rps / (baseline[i]?.rps ?? Number.NaN));
  const cpuRatio = median(baseline.map((b) => b.cpuUs)) / median(subject.map((s) => s.cpuUs));
  const ratio = median(ratios);
  const rps = `${median(subject.map((s) => s.rps)).toFixed(0)}/${median(baseline.map((b) => b.rps)).toFixed(0)}`;
  const gc = `${median(subject.map((s) => s.gcUs)).toFixed(1)}/${median(baseline.map((b) => b.gcUs)).toFixed(1)}`;
  const goal = (row.goal === undefined ? '-' : `>=${row.goal}`).padStart(6);
  const verdict = row.goal === undefined ? 'information' : ratio >= row.goal ? 'met' : 'NOT met';
  console.log(
    `${row.label.padEnd(84)} ${ratio.toFixed(2).padStart(6)} ${spread(ratios).padStart(10)} ${cpuRatio.toFixed(2).padStart(9)} ${rps.padStart(15)} ${gc.padStart(20)} ${goal}  ${verdict}`,
  );
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as ServerMode);
else await main();
