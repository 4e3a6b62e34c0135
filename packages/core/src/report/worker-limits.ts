/**
 * How much the reporter's worker may hold and use: items handed over and not yet written (a
 * queue's worth, more while it boots), and the heap limits that follow from that.
 */

/** Heap allowed per queued item the worker may hold (its fields and raw stack, as handed over). */
const ITEM_ALLOWANCE_BYTES = 2048;

/**
 * Queues' worth of items the worker may hold until it writes its first record. Booting takes
 * 100-400 ms under a storm (it competes with the response thread for the cores), and the
 * response thread's code is still cold then, so it hands over at about a third of its warm rate:
 * at 50,000 distinct faults per second, one queue (4,096) on each side filled in 160 ms and a
 * few thousand were dropped in the first half second. Four queues' worth on the worker's side
 * covered the boot (bench:reporter, 0 dropped).
 */
export const BOOT_HOLD = 4;

/**
 * The worker's heap limits. Its young generation is kept small (the default grows to tens of MB
 * in a storm, and RSS with it): scavenges get more frequent, each is short. The old generation
 * holds at most {@link BOOT_HOLD} queues' worth of items, the sink's backlog and bounded caches:
 * its limit grows with both (a limit, not memory taken; with a fixed one, a `queueSize` of
 * 100,000 held behind a stalled sink ran the worker out of heap and every record was lost with it).
 */
export function workerLimits(
  maxBacklog: number,
  queueSize: number,
): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  return {
    maxYoungGenerationSizeMb: 4,
    maxOldGenerationSizeMb: 48 + Math.ceil((3 * maxBacklog + BOOT_HOLD * queueSize * ITEM_ALLOWANCE_BYTES) / 1048576),
  };
}
