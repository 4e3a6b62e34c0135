/**
 * Error storm against a real Fastify server with the Faultline plugin, reporter off vs reporter
 * writing to a file, side by side in one run: the server pinned to core 0, wrk (100 connections,
 * every request an error) pinned to core 1, modes interleaved. Prints RSS growth over the storm
 * (goal: reporter on <= 10 MB over reporter off), bytes of log per error (repeats are compact
 * lines listing ids), and the reporter's own counts (nothing lost or dropped, truthfully).
 * BENCH_DURATION (s, default 60) and BENCH_ROUNDS (default 1) tune it.
 */

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReporter, type Reporter, type ReporterStats } from '@faultline/core';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import Fastify from 'fastify';
import { forkServer, median, rssMb } from './measure.js';
import { pin, wrk } from './pinning.js';

type Mode = 'reporter-off' | 'reporter-file';
const MODES: readonly Mode[] = ['reporter-off', 'reporter-file'];

async function serve(mode: Mode): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-storm-'));
  const file = join(dir, 'faults.log');
  const reporter: Reporter | false = mode === 'reporter-file' ? createReporter({ destination: file }) : false;
  const app = Fastify({ ...faultlineServerOptions(), logger: false });
  await app.register(faultline, { reporter });
  let n = 0;
  app.get('/fail', () => {
    n += 1;
    throw Object.assign(new Error(`connect ECONNREFUSED 10.0.0.5:5432 (attempt ${n}) password=hunter2`), {
      code: 'ECONNREFUSED',
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  process.on('disconnect', () => process.exit(0)); // the parent was killed: do not stay behind
  process.on('message', async (message) => {
    if (message === 'stats') {
      if (reporter !== false) await reporter.flush();
      process.send?.({
        stats: reporter === false ? undefined : reporter.stats,
        logBytes: reporter === false ? 0 : statSync(file).size,
      });
    }
    if (message === 'stop') {
      await app.close();
      if (reporter !== false) await reporter.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

interface StormResult {
  readonly mode: Mode;
  readonly rps: number;
  readonly errors: number;
  readonly rssGrowthMb: number;
  readonly peakGrowthMb: number;
  readonly bytesPerError: number;
  readonly written: number;
  readonly compacted: number;
  readonly lost: number;
  readonly dropped: number;
}

interface ServerStats {
  readonly stats?: ReporterStats;
  readonly logBytes: number;
}

function askStats(child: ChildProcess): Promise<ServerStats> {
  child.send('stats');
  return new Promise((resolve) => child.once('message', (m) => resolve(m as ServerStats)));
}

async function stormOnce(mode: Mode, seconds: number): Promise<StormResult> {
  const script = fileURLToPath(import.meta.url);
  const server = await forkServer(script, mode);
  pin(server.pid, 0);
  const url = `http://127.0.0.1:${server.port}/fail`;
  await wrk(url, 2, 100); // warm-up: JIT, pools, first full record
  const rssBefore = rssMb(server.pid);
  // RSS sampled every second: the steady state (median of the last third) says more than the
  // last sample, which depends on when V8 last collected.
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMb(server.pid)), 1000);
  const run = await wrk(url, seconds, 100);
  clearInterval(sampler);
  const rssAfter = median(samples.slice(Math.floor((samples.length * 2) / 3)));
  const rssPeak = Math.max(...samples);
  const { stats, logBytes } = await askStats(server.child);
  await server.stop();
  const lost = stats === undefined ? 0 : Object.values(stats.lost).reduce((a, b) => a + b, 0);
  return {
    mode,
    rps: run.rps,
    errors: run.non2xx,
    rssGrowthMb: rssAfter - rssBefore,
    peakGrowthMb: rssPeak - rssBefore,
    bytesPerError: logBytes / Math.max(1, run.non2xx),
    written: stats?.written ?? 0,
    compacted: stats?.compacted ?? 0,
    lost,
    dropped: stats === undefined ? 0 : stats.droppedQueueFull + stats.droppedBacklog,
  };
}

async function parent(): Promise<void> {
  const seconds = Number(process.env.BENCH_DURATION ?? 60);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  const results = new Map<Mode, StormResult[]>(MODES.map((m) => [m, []]));
  for (let round = 0; round < rounds; round += 1)
    for (const mode of MODES) results.get(mode)?.push(await stormOnce(mode, seconds));
  console.log(
    `\nerror storm: Fastify + Faultline, wrk -c100 for ${seconds}s, server on core 0, wrk on core 1 (${rounds} round(s), medians)`,
  );
  console.log(
    `${'mode'.padEnd(15)} ${'req/s'.padStart(8)} ${'RSS +MB'.padStart(8)} ${'peak +MB'.padStart(9)} ${'B/error'.padStart(8)} ${'written'.padStart(8)} ${'compacted'.padStart(10)} ${'lost'.padStart(6)} ${'dropped'.padStart(8)}`,
  );
  const med = (mode: Mode, key: keyof Omit<StormResult, 'mode'>) =>
    median((results.get(mode) ?? []).map((r) => r[key]));
  for (const mode of MODES) {
    console.log(
      `${mode.padEnd(15)} ${med(mode, 'rps').toFixed(0).padStart(8)} ${med(mode, 'rssGrowthMb').toFixed(1).padStart(8)} ${med(mode, 'peakGrowthMb').toFixed(1).padStart(9)} ${med(mode, 'bytesPerError').toFixed(1).padStart(8)} ${med(mode, 'written').toFixed(0).padStart(8)} ${med(mode, 'compacted').toFixed(0).padStart(10)} ${med(mode, 'lost').toFixed(0).padStart(6)} ${med(mode, 'dropped').toFixed(0).padStart(8)}`,
    );
  }
  const extra = med('reporter-file', 'rssGrowthMb') - med('reporter-off', 'rssGrowthMb');
  console.log(
    `RSS growth, reporter on minus off: ${extra.toFixed(1)} MB (goal <= 10 MB: ${extra <= 10 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `log bytes per error with the reporter on: ${med('reporter-file', 'bytesPerError').toFixed(1)} (repeats listed by id in one line per second)`,
  );
}

const [role, mode] = process.argv.slice(2);
if (role === 'serve') await serve(mode as Mode);
else await parent();
