/**
 * Bytes a process allocates on its V8 heap over an interval, measured, not estimated: Node 20-24
 * have no allocated-bytes counter (`v8.getHeapStatistics()` holds none), so the counter adds what
 * every garbage collection in the interval freed (from `v8.GCProfiler`, which records the heap
 * before and after each collection) to the growth of the used heap between the two ends.
 * Off-heap memory (Buffer contents, sockets' native state) is not counted. In a process started
 * with `--expose-gc`, `start()` first collects everything: otherwise a mark-compact inside the
 * interval also counts the old-generation garbage left from before the start as freed.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';

interface GcStatistic {
  readonly beforeGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
  readonly afterGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
}

/** Counts the V8 heap bytes allocated between `start()` and `stop()`. */
export class AllocationCounter {
  #profiler: GCProfiler | undefined;
  #usedAtStart = 0;

  /** Starts counting (a running count is restarted). */
  start(): void {
    this.#profiler?.stop();
    (globalThis as { gc?: () => void }).gc?.();
    this.#profiler = new GCProfiler();
    this.#profiler.start();
    this.#usedAtStart = getHeapStatistics().used_heap_size;
  }

  /** Stops counting and returns the bytes allocated since `start()` (`NaN` when not started). */
  stop(): number {
    const profiler = this.#profiler;
    if (profiler === undefined) return Number.NaN;
    const usedAtEnd = getHeapStatistics().used_heap_size;
    const result = profiler.stop() as unknown as { statistics?: readonly GcStatistic[] } | undefined;
    this.#profiler = undefined;
    let freed = 0;
    for (const gc of result?.statistics ?? [])
      freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    return usedAtEnd - this.#usedAtStart + freed;
  }
}
