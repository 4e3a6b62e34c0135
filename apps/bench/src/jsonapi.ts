/**
 * JSON:API and negotiation against problem JSON, side by side in one run (issue 24): the same
 * Fastify error route (a pg-like unique violation, 409) under `format: 'problem'`, `'jsonapi'` and
 * `'negotiate'`, each server in its own process pinned to core 0, wrk pinned to core 1, the modes
 * interleaved over rounds as `ratios.ts` runs them. Every server runs the same `onRequest` hook
 * setting the request's `Accept` (wrk sends none): `application/vnd.api+json` for all but
 * `negotiate-uncached`, whose Accept changes on every request among 4,096 values (more than the
 * negotiation cache holds) so each answer parses its header. BENCH_DURATION (s per run, default
 * 3) and BENCH_ROUNDS (default 4) tune it; about 1.5 minutes with the defaults.
 */
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { answerParent } from './child-server.js';
import { cpuSeconds, forkServer, median } from './measure.js';
import { pgError } from './pg-error.js';
import { machineJiffies, pin, wrk } from './pinning.js';

const MODES = ['problem', 'jsonapi', 'negotiate', 'negotiate-uncached'] as const;
type Mode = (typeof MODES)[number];

interface Row {
  readonly label: string;
  readonly subject: Mode;
  readonly goal: number | undefined;
}

const ROWS: readonly Row[] = [
  { label: "format 'jsonapi' / format 'problem'", subject: 'jsonapi', goal: 0.98 },
  { label: "format 'negotiate' (Accept: JSON:API, cached) / format 'problem'", subject: 'negotiate', goal: undefined },
  {
    label: "format 'negotiate' (Accept parsed every request) / format 'problem'",
    subject: 'negotiate-uncached',
    goal: undefined,
  },
];

const seconds = Number(process.env.BENCH_DURATION ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const script = fileURLToPath(import.meta.url);

interface Run {
  readonly rps: number;
  readonly cpuUs: number;
  readonly otherCpu: number;
  readonly non2xx: number;
}

async function serve(mode: Mode): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { faultline, faultlineServerOptions } = await import('@faultline/fastify');
  const app = Fastify({ ...faultlineServerOptions(), logger: false } as object) as unknown as FastifyInstance;
  const format = mode === 'problem' || mode === 'jsonapi' ? mode : 'negotiate';
  await app.register(faultline, { reporter: false, format });
  let n = 0;
  app.addHook('onRequest', (request, _reply, done) => {
    n = (n + 1) & 4095;
    request.headers.accept =
      mode === 'negotiate-uncached'
        ? `application/json;q=0.${(n % 9) + 1}, application/vnd.api+json;q=0.95, */*;q=0.0${n}`
        : 'application/vnd.api+json';
    done();
  });
  app.get('/fail', async () => {
    throw pgError();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  answerParent((app.server.address() as { port: number }).port);
}

async function runOnce(mode: Mode): Promise<Run> {
  const server = await forkServer(script, mode);
  const url = `http://127.0.0.1:${server.port}/fail`;
  await wrk(url, 1, 50); // warm-up
  const cpuBefore = cpuSeconds(server.pid);
  const machineBefore = machineJiffies();
  const result = await wrk(url, seconds, 50);
  const machineAfter = machineJiffies();
  const serverCpu = cpuSeconds(server.pid) - cpuBefore;
  await server.stop();
  const busy = (machineAfter.total - machineAfter.idle - (machineBefore.total - machineBefore.idle)) / 100;
  const other = Math.max(0, busy - serverCpu - result.seconds) / result.seconds;
  return {
    rps: result.rps,
    cpuUs: (serverCpu * 1e6) / Math.max(1, result.requests),
    otherCpu: other,
    // Every answer is the 409: anything else would mean the server failed differently.
    non2xx: result.non2xx - result.requests,
  };
}

/** A run in which other processes used more than 15% of a core is repeated once. */
async function quietRun(mode: Mode): Promise<Run> {
  const first = await runOnce(mode);
  return first.otherCpu > 0.15 ? runOnce(mode) : first;
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  const runs = new Map<Mode, Run[]>(MODES.map((mode) => [mode, []]));
  for (let round = 0; round < rounds; round += 1) for (const mode of MODES) runs.get(mode)?.push(await quietRun(mode));
  const baseline = runs.get('problem') ?? [];
  console.log(`\njsonapi: server pinned to core 0, wrk on core 1, ${seconds}s runs, ${rounds} interleaved rounds`);
  console.log(
    `problem: ${median(baseline.map((r) => r.rps)).toFixed(0)} req/s, ${median(baseline.map((r) => r.cpuUs)).toFixed(1)} us CPU/req; other processes used ${(100 * median(MODES.flatMap((m) => (runs.get(m) ?? []).map((r) => r.otherCpu)))).toFixed(0)}% of a core (median)`,
  );
  console.log(
    `${'comparison'.padEnd(70)} ${'ratio'.padStart(6)} ${'spread'.padStart(10)} ${'CPU ratio'.padStart(9)} ${'rps subj/base'.padStart(15)} ${'goal'.padStart(6)}  verdict`,
  );
  for (const row of ROWS) {
    const subject = runs.get(row.subject) ?? [];
    const ratios = subject.map((s, i) => s.rps / (baseline[i]?.rps ?? Number.NaN));
    const ratio = median(ratios);
    const cpu = median(baseline.map((b) => b.cpuUs)) / median(subject.map((s) => s.cpuUs));
    const rps = `${median(subject.map((s) => s.rps)).toFixed(0)}/${median(baseline.map((b) => b.rps)).toFixed(0)}`;
    const spread = `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
    const goal = (row.goal === undefined ? '-' : `>=${row.goal}`).padStart(6);
    const verdict = row.goal === undefined ? 'information' : ratio >= row.goal ? 'met' : 'NOT met';
    console.log(
      `${row.label.padEnd(70)} ${ratio.toFixed(2).padStart(6)} ${spread.padStart(10)} ${cpu.toFixed(2).padStart(9)} ${rps.padStart(15)} ${goal}  ${verdict}`,
    );
  }
  const unexpected = MODES.flatMap((m) => runs.get(m) ?? []).reduce((sum, r) => sum + Math.abs(r.non2xx), 0);
  if (unexpected > 0) console.log(`warning: ${unexpected} answers were not the expected 409`);
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Mode);
else await main();
