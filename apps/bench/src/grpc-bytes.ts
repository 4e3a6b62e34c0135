/**
 * Bytes each gRPC call allocates on the server, by call count rather than by time, so the figure
 * does not move with the machine's load (issue 22, items 2 and 4). Each `bench:ratios` gRPC mode
 * runs in its own process (core 0; h2load on core 1): warmed up, then sent N calls and 3N calls,
 * each batch counted by the server's allocation counter (`alloc-counter.ts`, exact). Prints the
 * marginal bytes per call (the difference of the two batches over the difference of their calls,
 * which the per-batch costs do not distort), the counted bytes per call of the long batch, and the
 * server CPU per call of the long batch (from /proc, load-sensitive: printed with the load
 * average). One stream in flight by default: the server answers one call per event-loop turn
 * whatever the load, which is what makes the bytes repeatable (to about 30 B).
 *
 * `node dist/grpc-bytes.js` (from apps/bench, after the build). GRPC_BYTES_MODES (comma-separated)
 * picks the modes, GRPC_BYTES_CALLS (default 5000) sets N, GRPC_BYTES_STREAMS (default 1) the
 * concurrent streams of the one connection.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { allocationStart, allocationStop } from './gc-state.js';
import { GRPC_COUNT_MODES, grpcCalls } from './grpc-load.js';
import { type ChildServer, cpuSeconds, forkServer } from './measure.js';
import { pin } from './pinning.js';
import type { ServerMode } from './ratio-servers.js';

const modes = (process.env.GRPC_BYTES_MODES?.split(',') ?? GRPC_COUNT_MODES) as ServerMode[];
const calls = Number(process.env.GRPC_BYTES_CALLS ?? 5000);
const streams = Number(process.env.GRPC_BYTES_STREAMS ?? 1);
const ratios = fileURLToPath(new URL('./ratios.js', import.meta.url));

/** Sends `count` calls of the bench method over one connection (h2load on core 1); resolves with those that succeeded. */
const send = (port: number, count: number) => grpcCalls(port, count, streams, 1);

/** One counted batch: calls completed, heap bytes allocated, server CPU seconds. */
async function batch(server: ChildServer, count: number): Promise<{ done: number; bytes: number; cpu: number }> {
  await allocationStart(server);
  const cpuBefore = cpuSeconds(server.pid);
  const done = await send(server.port, count);
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  return { done, bytes: await allocationStop(server), cpu };
}

async function measureMode(mode: ServerMode): Promise<void> {
  // --expose-gc: the counter starts from a collected heap (see alloc-counter.ts).
  const server = await forkServer(ratios, mode, ['--expose-gc']);
  try {
    await send(server.port, Math.min(3000, calls));
    const short = await batch(server, calls);
    const long = await batch(server, calls * 3);
    const marginal = (long.bytes - short.bytes) / Math.max(1, long.done - short.done);
    const per = (n: number) => n / Math.max(1, long.done);
    console.log(
      `${mode.padEnd(26)} ${marginal.toFixed(0).padStart(8)} ${per(long.bytes).toFixed(0).padStart(8)} ${(per(long.cpu) * 1e6).toFixed(1).padStart(8)}   (${short.done} + ${long.done} calls)`,
    );
  } finally {
    await server.stop();
  }
}

pin(process.pid, 1);
console.log(
  `gRPC bytes per call: h2load -n ${calls} then ${calls * 3}, one connection, ${streams} stream(s) in flight; load average ${loadavg()[0]?.toFixed(2)}`,
);
console.log(`${'mode'.padEnd(26)} ${'marginal'.padStart(8)} ${'counted'.padStart(8)} ${'CPU us'.padStart(8)}`);
for (const mode of modes) await measureMode(mode);
