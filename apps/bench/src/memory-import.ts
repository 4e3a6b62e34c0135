/**
 * The child of `bench:memory` that measures one entry's import: `memory-import.js <entry>` (or `-`
 * for nothing) imports it, forces two collections (`--expose-gc`) and sends its RSS and heap, MiB.
 * No static imports, so `-` is an empty process.
 */
const entry = process.argv[2] ?? '-';
if (entry !== '-') await import(entry);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const usage = process.memoryUsage();
process.send?.({ rss: usage.rss / 2 ** 20, heap: usage.heapUsed / 2 ** 20 }, () => process.exit(0));
