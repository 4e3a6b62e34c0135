/**
 * A process's memory once it has settled, for `bench:memory` (its servers and its import children).
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

/** RSS in MiB. */
function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

/** A settled reading: MiB, with each V8 space's resident part and the process's thread count. */
export interface SettledMemory {
  readonly rss: number;
  readonly heap: number;
  readonly young: number;
  readonly youngResident: number;
  /** The resident part of each of V8's spaces (`getHeapSpaceStatistics`), MiB. */
  readonly spaces: Readonly<Record<string, number>>;
  /** Threads of the process (`/proc/self/status`), or NaN where that cannot be read. */
  readonly threads: number;
}

/** The process's thread count, from `/proc/self/status` (Linux). */
function threadCount(): number {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/**
 * Two forced collections (the process runs with `--expose-gc`), then its memory in MiB once RSS
 * has settled: RSS, heap used, and the young generation's size (V8's new space: it doubles once
 * the bytes surviving its collections since its last growth exceed its capacity) and the part of
 * it resident.
 * - **Why it waits.** V8 returns the pages a collection freed on a background thread (its
 *   unmapper), some milliseconds after `gc()` returns. Read at once, RSS still holds them: the
 *   same Express server read 114.8 MiB at once and 92.7 MiB 200 ms later, and which side of a
 *   pair caught the release decided its "+15 MiB". So RSS is read every 100 ms until two readings
 *   agree within 0.1 MiB (at most 3 s), the same way on both sides of a pair.
 * - The resident young generation is what RSS sees: the forced collections themselves can double
 *   the size without touching the new pages (the stock ws server's 16 MiB young generation
 *   becomes 32 that way, 16 resident), while a doubling during the load makes nearly all of it
 *   resident (+12 MiB).
 */
export async function settledMemory(): Promise<SettledMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  let rss = rssMiB();
  for (let waited = 0; waited < 3000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = rssMiB();
    const settled = Math.abs(next - rss) < 0.1;
    rss = next;
    if (settled) break;
  }
  const statistics = getHeapSpaceStatistics();
  const young = statistics.find((space) => space.space_name === 'new_space');
  const spaces: Record<string, number> = {};
  for (const space of statistics) spaces[space.space_name] = space.physical_space_size / 2 ** 20;
  return {
    rss,
    heap: process.memoryUsage().heapUsed / 2 ** 20,
    young: (young?.space_size ?? 0) / 2 ** 20,
    youngResident: (young?.physical_space_size ?? 0) / 2 ** 20,
    spaces,
    threads: threadCount(),
  };
}
