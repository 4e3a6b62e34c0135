/**
 * The child of `bench:memory` that measures one entry's import: `memory-import.js <entry>` (or `-`
 * for nothing) imports it, forces two collections (`--expose-gc`), waits for RSS to settle and
 * sends its RSS and heap, MiB. Only the small settling module is imported statically, so `-` is an
 * empty process.
 */
import { settledMemory } from './settled-memory.js';

const entry = process.argv[2] ?? '-';
if (entry !== '-') await import(entry);
const { rss, heap } = await settledMemory();
process.send?.({ rss, heap }, () => process.exit(0));
