/**
 * `node dist/import-heap.js [entry ...]` (issue 21): the V8 heap an import leaves behind, in KiB,
 * over an empty process, for core's entries and each adapter beside the framework it serves.
 * What start-up leaves alive is carried into the load and counts toward V8's young-generation
 * growth, so it is measured here without a server. Each entry is imported in its own child
 * (`--expose-gc --single-threaded`: the figures repeat to the KiB), which collects until the heap
 * stops shrinking and sends `heapUsed`; the median of IMPORT_HEAP_ROUNDS (default 3) children.
 * No arguments: core, core/adapter, and each adapter with its framework alone.
 *
 * Attribution (issue 21): `IMPORT_HEAP_BASE=ws,@opentelemetry/api node dist/import-heap.js a b+c`
 * prints what each argument adds over the base imported first (`+` joins modules imported
 * together), e.g. the OpenTelemetry API, `negotiator`, `@faultline/taxonomy`, the `node:` built-ins
 * core imports (each is an ES module facade listing all of its exports), or one of core's chunks
 * (`$PWD/../../packages/core/dist/writer-<hash>.js`), each over `ws` and the ones before it.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './measure.js';

const ROUNDS = Number(process.env.IMPORT_HEAP_ROUNDS ?? 3);
/** Modules imported before each measured one; what the figures are counted over (default: none). */
const BASE = (process.env.IMPORT_HEAP_BASE ?? '').split(',').filter((name) => name !== '');
/** Each entry, and the framework it is compared with (`-`: none). */
const DEFAULT_ENTRIES: readonly (readonly [string, string])[] = [
  ['@faultline/core', '-'],
  ['@faultline/core/adapter', '-'],
  ['@faultline/fastify', 'fastify'],
  ['@faultline/express', 'express'],
  ['@faultline/grpc', '@grpc/grpc-js'],
  ['@faultline/ws', 'ws'],
];

/** In the child: imports `entries`, collects until the heap stops shrinking, sends `heapUsed`. */
async function child(entries: readonly string[]): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('import-heap: the child needs --expose-gc');
  for (const entry of entries) await import(entry);
  let heap = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 10; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = process.memoryUsage().heapUsed;
    if (now >= heap) break;
    heap = now;
  }
  process.send?.(heap, () => process.exit(0));
}

/** `heapUsed` in KiB after importing `entries` in a fresh child, median of ROUNDS. */
async function heapAfter(entries: readonly string[]): Promise<number> {
  const script = fileURLToPath(import.meta.url);
  const runs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const proc = fork(script, ['--child', ...entries], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: ['--expose-gc', '--single-threaded'],
    });
    const heap = await new Promise<number>((resolve, reject) => {
      proc.once('message', (message) => resolve(Number(message)));
      proc.once('exit', (code) => reject(new Error(`import-heap: child for ${entries.join(' ')} exited ${code}`)));
    });
    runs.push(heap / 1024);
  }
  return median(runs);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args.slice(1));
  if (BASE.length > 0) return overBase(args);
  const entries: readonly (readonly [string, string])[] =
    args.length > 0 ? args.map((entry) => [entry, '-'] as const) : DEFAULT_ENTRIES;
  const empty = await heapAfter([]);
  console.log(`heap left by an import, KiB over an empty process (${empty.toFixed(0)} KiB), median of ${ROUNDS}`);
  console.log(
    `${'entry'.padEnd(26)} ${'alone'.padStart(8)} ${'framework'.padStart(10)} ${'both'.padStart(8)} ${'over fw'.padStart(8)}`,
  );
  for (const [entry, framework] of entries) {
    const alone = (await heapAfter([entry])) - empty;
    if (framework === '-') {
      console.log(`${entry.padEnd(26)} ${alone.toFixed(0).padStart(8)}`);
      continue;
    }
    const fw = (await heapAfter([framework])) - empty;
    const both = (await heapAfter([framework, entry])) - empty;
    console.log(
      `${entry.padEnd(26)} ${alone.toFixed(0).padStart(8)} ${fw.toFixed(0).padStart(10)} ${both.toFixed(0).padStart(8)} ${(both - fw).toFixed(0).padStart(8)}`,
    );
  }
}

/** What each of `args` (`a+b`: imported together) adds over BASE, in KiB. */
async function overBase(args: readonly string[]): Promise<void> {
  const base = await heapAfter(BASE);
  console.log(`heap each import adds over ${BASE.join(' + ')} (${base.toFixed(0)} KiB), KiB, median of ${ROUNDS}`);
  for (const arg of args) {
    const over = (await heapAfter([...BASE, ...arg.split('+')])) - base;
    console.log(`${arg.replace(/^.*\/dist\//, 'dist/').padEnd(60)} ${over.toFixed(0).padStart(8)}`);
  }
}

await main();
