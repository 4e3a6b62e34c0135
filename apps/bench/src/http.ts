/**
 * HTTP benchmark, side by side in one run: the same throwing route answered by Fastify's default
 * error handler and by Faultline, each with the logger on (pino to /dev/null, its async default
 * destination) and off, plus the success route. Each server runs in its own child process on
 * 127.0.0.1; autocannon loads it for a bounded time; req/s and the server's RSS growth are
 * printed with ratios.
 *
 * Goals (issue 4): Faultline >= 2.5x the default handler with its logger on; >= 0.9x the default
 * handler with the logger off.
 */
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuSeconds, forkServer, interleaved, median, rssMb } from './measure.js';
import { pin } from './pinning.js';

const MODES = ['success', 'default-log-off', 'faultline-log-off', 'default-log-on', 'faultline-log-on'] as const;
type Mode = (typeof MODES)[number];
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = 50;

async function serve(mode: Mode): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { faultline, faultlineServerOptions } = await import('@faultline/fastify');
  const { pino } = await import('pino');
  const logOn = mode.endsWith('log-on') || mode === 'success';
  // Level warn: error records are written, per-request info lines are not (same for both handlers).
  const logger = logOn ? pino({ level: 'warn' }, pino.destination({ dest: '/dev/null', sync: false })) : undefined;
  const app = mode.startsWith('faultline')
    ? Fastify({ ...faultlineServerOptions(), ...(logger ? { loggerInstance: logger } : {}) })
    : Fastify({ ...(logger ? { loggerInstance: logger } : {}) });
  if (mode.startsWith('faultline')) await app.register(faultline);
  app.get('/fail', async () => {
    throw new Error('connect to db.internal:5432 failed for user app');
  });
  app.get('/ok', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  process.send?.({ port });
  process.on('disconnect', () => process.exit(0)); // the parent was killed: do not stay behind
  process.on('message', () => {
    void app.close().then(() => process.exit(0));
  });
}

interface Row {
  readonly mode: Mode;
  readonly rps: number;
  /** Server CPU microseconds per request: independent of the client and of CPU steal. */
  readonly cpuUs: number;
  readonly rssGrowth: number;
  readonly errors: number;
}

async function measure(mode: Mode): Promise<Row> {
  const server = await forkServer(fileURLToPath(import.meta.url), mode);
  const url = `http://127.0.0.1:${server.port}${mode === 'success' ? '/ok' : '/fail'}`;
  await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
  const before = rssMb(server.pid);
  const cpuBefore = cpuSeconds(server.pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  const after = rssMb(server.pid);
  await server.stop();
  return {
    mode,
    rps: result.requests.average,
    cpuUs: (cpu * 1e6) / Math.max(1, result.requests.total),
    rssGrowth: after - before,
    errors: result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  pin(process.pid, 1); // the load generator (this process) on core 1, servers on core 0
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  // Interleaved rounds: every mode sees the same machine conditions (this VM has CPU steal).
  const samples = await interleaved(MODES, rounds, measure);
  const rows = MODES.map((mode) => {
    const list = samples.get(mode) ?? [];
    return {
      mode,
      rps: median(list.map((r) => r.rps)),
      cpuUs: median(list.map((r) => r.cpuUs)),
      rssGrowth: Math.max(...list.map((r) => r.rssGrowth)),
      errors: list.reduce((n, r) => n + r.errors, 0),
    };
  });
  const get = (m: Mode) => rows.find((r) => r.mode === m);
  const rps = (m: Mode) => get(m)?.rps ?? Number.NaN;
  const cpu = (m: Mode) => get(m)?.cpuUs ?? Number.NaN;
  console.log(
    `\nHTTP: ${CONNECTIONS} connections, ${DURATION_S}s x ${rounds} interleaved rounds per mode (medians), server alone in its process on 127.0.0.1`,
  );
  console.log(
    `${'mode'.padEnd(20)} ${'req/s'.padStart(9)} ${'x success'.padStart(10)} ${'server CPU us/req'.padStart(18)} ${'RSS +MB'.padStart(8)} ${'errors'.padStart(7)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.mode.padEnd(20)} ${r.rps.toFixed(0).padStart(9)} ${(r.rps / rps('success')).toFixed(2).padStart(10)} ${r.cpuUs.toFixed(1).padStart(18)} ${r.rssGrowth.toFixed(1).padStart(8)} ${String(r.errors).padStart(7)}`,
    );
  }
  const report = (label: string, f: Mode, d: Mode, goal: number) => {
    const byRps = rps(f) / rps(d);
    const byCpu = cpu(d) / cpu(f);
    console.log(
      `faultline / default, ${label}: ${byRps.toFixed(2)}x req/s, ${byCpu.toFixed(2)}x by server CPU per request (goal >= ${goal}x: ${byRps >= goal ? 'met' : 'NOT met'} by req/s, ${byCpu >= goal ? 'met' : 'NOT met'} by CPU)`,
    );
  };
  console.log('');
  report('logger on ', 'faultline-log-on', 'default-log-on', 2.5);
  report('logger off', 'faultline-log-off', 'default-log-off', 0.9);
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Mode);
else await main();
