/**
 * `bench:alloc` (issue 22 item 2): what each answer allocates, per server mode of `bench:ratios`.
 * Each mode runs in its own process (core 0, load on core 1): warmed up, then loaded for
 * BENCH_DURATION seconds (default 2), and again for a third of it, while the server counts its heap allocation
 * (`alloc-counter.ts`, exact) and samples its allocation sites (`alloc-profile.ts`, every 2 KiB on
 * average; the profiler's own allocation is part of both figures). Prints bytes per request (marginal: the
 * difference of the two windows over the difference of their requests, which the per-window costs
 * do not distort; counted: the long window's bytes over its requests), then the top sites in bytes per request.
 * ALLOC_MODES (comma-separated) picks the modes; ALLOC_SITES (default 12) the sites shown (0: the
 * counter only, no sampling); ALLOC_CONNECTIONS (default 50) wrk's connections. With one connection
 * the server answers one request per event-loop turn whatever the machine's load, so the figure
 * does not move with other processes' load (with 50, a slower server batches more per turn).
 */
import { fileURLToPath } from 'node:url';
import type { SiteBytes } from './alloc-profile.js';
import { allocationStart, allocationStop } from './gc-state.js';
import { grpcLoad } from './grpc-load.js';
import { askServer, forkServer } from './measure.js';
import { pin, wrk } from './pinning.js';
import type { ServerMode } from './ratio-servers.js';

const DEFAULT_MODES: readonly ServerMode[] = [
  'http-stock-error',
  'http-floor-error',
  'http-faultline-error',
  'http-stock-404',
  'http-floor-404',
  'http-faultline-404',
  'express-floor-error',
  'express-faultline-error',
  'grpc-plain-error',
  'grpc-plain-error-trailers',
  'grpc-faultline-error',
];
const modes = (process.env.ALLOC_MODES?.split(',') ?? DEFAULT_MODES) as ServerMode[];
const seconds = Number(process.env.BENCH_DURATION ?? 2);
const shown = Number(process.env.ALLOC_SITES ?? 12);
const connections = Number(process.env.ALLOC_CONNECTIONS ?? 50);
const ratios = fileURLToPath(new URL('./ratios.js', import.meta.url));

function load(mode: ServerMode, port: number, duration: number): Promise<number> {
  if (mode.startsWith('grpc')) return grpcLoad(port, duration);
  const path = mode.endsWith('404') ? '/missing' : '/fail';
  return wrk(`http://127.0.0.1:${port}${path}`, duration, connections).then((r) => r.requests);
}

async function profile(mode: ServerMode): Promise<void> {
  // --expose-gc: the counter starts from a collected heap (see alloc-counter.ts).
  const server = await forkServer(ratios, mode, ['--expose-gc']);
  await load(mode, server.port, 2);
  await allocationStart(server);
  if (shown > 0) await askServer(server, 'sample-start', 'sampling');
  const requests = await load(mode, server.port, seconds);
  const sample =
    shown > 0
      ? await askServer<{ total: number; sites: SiteBytes[] }>(server, 'sample-stop', 'sample')
      : { total: Number.NaN, sites: [] };
  const bytes = await allocationStop(server);
  // A second, shorter window: what one window costs besides its requests (a new connection, the
  // collection at its start) cancels out of the difference, the marginal bytes per request.
  await allocationStart(server);
  const shortRequests = await load(mode, server.port, Math.max(1, seconds / 3));
  const shortBytes = await allocationStop(server);
  await server.stop();
  const per = (n: number) => (n / Math.max(1, requests)).toFixed(0).padStart(6);
  const marginal = ((bytes - shortBytes) / Math.max(1, requests - shortRequests)).toFixed(0).padStart(6);
  console.log(
    `\n${mode}: ${marginal} B/request marginal, ${per(bytes)} B/request counted, ${per(sample.total)} B/request sampled (${requests} + ${shortRequests} requests)`,
  );
  for (const site of sample.sites.slice(0, shown)) console.log(`  ${per(site.bytes)}  ${site.site}`);
}

pin(process.pid, 1);
for (const mode of modes) await profile(mode);
