/**
 * `bench:ws-alloc` (issues 21 and 22): what one WebSocket error frame costs the server, in measures
 * other processes' load does not distort. Each server of `bench:ws` runs in its own process (core
 * 0, the client on core 1) with one client and one message in flight, so it answers one frame per
 * event-loop turn whatever the machine's load. Warmed up, then two windows of a fixed number of
 * frames (WS_FRAMES, default 20,000, and a third of it): heap bytes per frame (marginal: the
 * difference of the windows over the difference of their frames; counted: the long window alone,
 * from `alloc-counter.ts`), and server CPU µs per frame (long window). WS_ALLOC_MODES (comma-separated) picks the servers; ALLOC_SITES (default
 * 0) shows the top allocation sites of the long window (sampled, `alloc-profile.ts`).
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SiteBytes } from './alloc-profile.js';
import { allocationStart, allocationStop } from './gc-state.js';
import { askServer, cpuSeconds, forkServer } from './measure.js';
import { pin } from './pinning.js';
import { type Mode, SERVE_MODES, wsLoad } from './ws.js';

const modes = (process.env.WS_ALLOC_MODES?.split(',') ?? SERVE_MODES) as Mode[];
const frames = Number(process.env.WS_FRAMES ?? 20_000);
const shown = Number(process.env.ALLOC_SITES ?? 0);
const script = fileURLToPath(new URL('./ws.js', import.meta.url));
/** Long enough for any window on a loaded machine; the windows end on their frame count. */
const WINDOW_MS = 120_000;

async function profile(mode: Mode): Promise<void> {
  // --expose-gc: the counter starts from a collected heap (see alloc-counter.ts).
  const server = await forkServer(script, mode, ['--expose-gc']);
  await wsLoad(server.port, WINDOW_MS, 1, 5_000);
  await allocationStart(server);
  if (shown > 0) await askServer(server, 'sample-start', 'sampling');
  const cpuBefore = cpuSeconds(server.pid);
  const long = await wsLoad(server.port, WINDOW_MS, 1, frames);
  const cpuUs = ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / Math.max(1, long);
  const sample =
    shown > 0
      ? await askServer<{ total: number; sites: SiteBytes[] }>(server, 'sample-stop', 'sample')
      : { total: Number.NaN, sites: [] };
  const longBytes = await allocationStop(server);
  await allocationStart(server);
  const short = await wsLoad(server.port, WINDOW_MS, 1, Math.round(frames / 3));
  const shortBytes = await allocationStop(server);
  await server.stop();
  const marginal = (longBytes - shortBytes) / Math.max(1, long - short);
  const per = (n: number) => (n / Math.max(1, long)).toFixed(0).padStart(6);
  console.log(
    `${mode.padEnd(22)} ${marginal.toFixed(0).padStart(8)} ${per(longBytes).padStart(9)} ${cpuUs.toFixed(1).padStart(8)}`,
  );
  for (const site of sample.sites.slice(0, shown)) console.log(`  ${per(site.bytes)}  ${site.site}`);
}

pin(process.pid, 1);
console.log(
  `bench:ws-alloc, ${frames} + ${Math.round(frames / 3)} frames, one client; load average ${loadavg()[0]?.toFixed(2)}`,
);
console.log(`${'server'.padEnd(22)} ${'B/frame'.padStart(8)} ${'counted'.padStart(9)} ${'CPU us'.padStart(8)}`);
for (const mode of modes) await profile(mode);
