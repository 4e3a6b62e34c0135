/**
 * `bench:memory` (issue 21): what Faultline adds to a service's memory. For Fastify, Express, gRPC
 * (grpc-js) and ws, each wired as the README shows (Faultline's defaults, and a reporter writing to
 * a file) against the same routes on its stock server: RSS and V8 heap over stock right after
 * start, and after MEMORY_OPS (default 20,000) mixed operations followed by two forced
 * collections and RSS settling (settled-memory.ts: V8 returns freed pages on a background thread),
 * with the size of V8's young generation after the load and the part of it resident (Faultline's
 * and stock's: a doubling during the load is the +8 to +12 MiB step); each server in its own
 * process (`--expose-gc`), the median of MEMORY_ROUNDS (default 3) interleaved rounds, next to the
 * goals; MEMORY_FRAMEWORKS picks some. Then the cost of importing each public entry alone in an
 * empty process, over an empty process. Bounded: each load stops after 60 s.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './measure.js';
import { mixedLoad } from './memory-load.js';
import { FRAMEWORKS, type Framework, VARIANTS, type Variant } from './memory-servers.js';
import { printSpaces, type SpacePairs } from './memory-spaces.js';

/** Memory of a process after two forced collections, in MiB. */
interface Memory {
  readonly rss: number;
  readonly heap: number;
  /** V8's new space, MiB (servers only). */
  readonly young?: number;
  /** The resident part of V8's new space, MiB (servers only). */
  readonly youngResident?: number;
  /** The resident part of each V8 space, MiB. */
  readonly spaces?: Readonly<Record<string, number>>;
  /** The process's threads. */
  readonly threads?: number;
}

const OPS = Number(process.env.MEMORY_OPS ?? 20_000);
/** MEMORY_FRAMEWORKS (comma-separated, e.g. `grpc`) measures only those servers; all by default. */
const ONLY = (process.env.MEMORY_FRAMEWORKS ?? '').split(',').filter((name) => name.trim() !== '');
const ROUNDS = Number(process.env.MEMORY_ROUNDS ?? 3);
const LOAD_TIMEOUT_MS = 60_000;
const GOALS = { start: 6, rss: 10, heap: 4 } as const;
/** Each public entry, and the framework an adapter imports (its cost is shown apart). */
const ENTRIES: Readonly<Record<string, string | undefined>> = {
  '@faultline/core': undefined,
  '@faultline/core/adapter': undefined,
  '@faultline/core/grpc': undefined,
  '@faultline/client': undefined,
  '@faultline/fastify': 'fastify',
  '@faultline/express': 'express',
  '@faultline/grpc': '@grpc/grpc-js',
  '@faultline/ws': 'ws',
};
const serverScript = fileURLToPath(new URL('./memory-servers.js', import.meta.url));
const importScript = fileURLToPath(new URL('./memory-import.js', import.meta.url));

/** Forks `file` with `args` and `--expose-gc` (stdout and stderr discarded: the default reporter writes there). */
function spawnChild(file: string, args: readonly string[]) {
  const proc = fork(file, [...args], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], execArgv: ['--expose-gc'] });
  const next = <T>() => new Promise<T>((resolve) => proc.once('message', (m) => resolve(m as T)));
  return { proc, next };
}

async function measureServer(framework: Framework, variant: Variant): Promise<{ start: Memory; after: Memory }> {
  const { proc, next } = spawnChild(serverScript, [framework, variant]);
  const start = await next<Memory & { port: number }>();
  const done = await mixedLoad(framework, start.port, OPS, LOAD_TIMEOUT_MS);
  if (done < OPS) console.log(`  (${framework} ${variant}: ${done} of ${OPS} operations within the time bound)`);
  const answer = next<Memory>();
  proc.send('memory');
  const after = await answer;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.send('exit');
  await exited;
  return { start, after };
}

async function measureImport(entry: string): Promise<Memory> {
  const { proc, next } = spawnChild(importScript, [entry]);
  const memory = await next<Memory>();
  await new Promise((resolve) => (proc.exitCode === null ? proc.once('exit', resolve) : resolve(null)));
  return memory;
}

const mb = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`.padStart(7);
const verdict = (value: number, goal: number) => (value <= goal ? 'met' : 'NOT met');

async function main(): Promise<void> {
  const over = new Map<
    string,
    {
      start: number[];
      rss: number[];
      heap: number[];
      young: number[];
      stockYoung: number[];
      resident: number[];
      stockResident: number[];
    }
  >();
  const pairs: SpacePairs = new Map();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const framework of FRAMEWORKS.filter((name) => ONLY.length === 0 || ONLY.includes(name))) {
      const stock = await measureServer(framework, 'stock');
      for (const variant of VARIANTS.filter((v) => v !== 'stock')) {
        const run = await measureServer(framework, variant);
        const key = `${framework} ${variant}`;
        const row = over.get(key) ?? {
          start: [],
          rss: [],
          heap: [],
          young: [],
          stockYoung: [],
          resident: [],
          stockResident: [],
        };
        row.start.push(run.start.rss - stock.start.rss);
        row.rss.push(run.after.rss - stock.after.rss);
        row.heap.push(run.after.heap - stock.after.heap);
        row.young.push(run.after.young ?? Number.NaN);
        row.stockYoung.push(stock.after.young ?? Number.NaN);
        row.resident.push(run.after.youngResident ?? Number.NaN);
        row.stockResident.push(stock.after.youngResident ?? Number.NaN);
        over.set(key, row);
        pairs.set(key, [...(pairs.get(key) ?? []), { subject: run.after, stock: stock.after }]);
      }
    }
  }
  console.log(
    `\nmemory over the stock server, MiB, median of ${ROUNDS} rounds; ${OPS} mixed operations, then two forced GCs`,
  );
  console.log(
    `${'server (Faultline wiring)'.padEnd(28)} ${'RSS start'.padStart(9)} ${'goal<=6'.padStart(8)} ${'RSS after'.padStart(9)} ${'goal<=10'.padStart(9)} ${'heap after'.padStart(10)} ${'goal<=4'.padStart(8)} ${'young gen after (stock)'.padStart(24)} ${'resident (stock)'.padStart(17)}`,
  );
  for (const [key, row] of over) {
    const [start, rss, heap] = [median(row.start), median(row.rss), median(row.heap)];
    console.log(
      `${key.padEnd(28)} ${mb(start).padStart(9)} ${verdict(start, GOALS.start).padStart(8)} ${mb(rss).padStart(9)} ${verdict(rss, GOALS.rss).padStart(9)} ${mb(heap).padStart(10)} ${verdict(heap, GOALS.heap).padStart(8)} ${`${median(row.young)} (${median(row.stockYoung)}) MiB`.padStart(24)} ${`${median(row.resident).toFixed(1)} (${median(row.stockResident).toFixed(1)})`.padStart(17)}`,
    );
  }
  printSpaces(pairs);
  const samples = new Map<string, Memory[]>();
  const modules = ['-', ...Object.keys(ENTRIES), ...new Set(Object.values(ENTRIES).filter((f) => f !== undefined))];
  for (let round = 0; round < ROUNDS; round += 1)
    for (const entry of modules) samples.set(entry, [...(samples.get(entry) ?? []), await measureImport(entry)]);
  const importOver = (entry: string, base: string, pick: (m: Memory) => number) => {
    const list = samples.get(entry) ?? [];
    const baseList = samples.get(base) ?? [];
    return median(list.map((m, i) => pick(m) - pick(baseList[i] ?? { rss: Number.NaN, heap: Number.NaN })));
  };
  const empty = samples.get('-') ?? [];
  const absolute = (pick: (m: Memory) => number) => median(empty.map(pick)).toFixed(1);
  console.log(`\nimporting one entry in an empty process (MiB, median of ${ROUNDS})`);
  console.log(
    `${'entry'.padEnd(28)} ${'RSS over empty'.padStart(15)} ${'heap'.padStart(7)} ${'RSS over its framework'.padStart(23)} ${'heap'.padStart(7)}`,
  );
  console.log(
    `${'(empty process, absolute)'.padEnd(28)} ${absolute((m) => m.rss).padStart(15)} ${absolute((m) => m.heap).padStart(7)}`,
  );
  for (const [entry, framework] of Object.entries(ENTRIES)) {
    const own =
      framework === undefined
        ? ''
        : `${mb(importOver(entry, framework, (m) => m.rss)).padStart(23)} ${mb(importOver(entry, framework, (m) => m.heap))}`;
    console.log(
      `${entry.padEnd(28)} ${mb(importOver(entry, '-', (m) => m.rss)).padStart(15)} ${mb(importOver(entry, '-', (m) => m.heap))} ${own}`,
    );
  }
}

await main();
