/**
 * Where `bench:memory`'s "RSS after" goes: for each server pair, the median difference of each V8
 * space's resident part (new space, old space, code space, large objects, ...), of what RSS holds
 * outside V8's heap (RSS minus every space's resident part: code of Node and its libraries, malloc,
 * thread stacks, the ESM loader's and compilers' native memory), and the thread counts. Read after
 * the load and the two forced collections, as the table above it.
 */
import { median } from './measure.js';

/** One reading of a server after its load, as `settledMemory` returns it (MiB). */
export interface SpacesReading {
  readonly rss: number;
  readonly spaces?: Readonly<Record<string, number>>;
  readonly threads?: number;
}

/** Pairs of readings (Faultline's server, the stock server of the same round), by row name. */
export type SpacePairs = Map<string, { subject: SpacesReading; stock: SpacesReading }[]>;

const outside = (reading: SpacesReading) =>
  reading.rss - Object.values(reading.spaces ?? {}).reduce((sum, value) => sum + value, 0);

/** Prints the breakdown of each row's RSS difference (median over its rounds). */
export function printSpaces(pairs: SpacePairs): void {
  const names = new Set<string>();
  for (const list of pairs.values())
    for (const { subject } of list) for (const name of Object.keys(subject.spaces ?? {})) names.add(name);
  const columns = [...names].filter((name) =>
    [...pairs.values()].some((list) =>
      list.some(({ subject, stock }) => Math.abs((subject.spaces?.[name] ?? 0) - (stock.spaces?.[name] ?? 0)) >= 0.05),
    ),
  );
  console.log('\nRSS after the load over stock, by part (MiB, median; resident parts of V8 spaces, then the rest)');
  console.log(
    `${'server (Faultline wiring)'.padEnd(28)} ${columns.map((name) => name.replace(/_space$/, '').padStart(10)).join(' ')} ${'outside V8'.padStart(10)} ${'threads (stock)'.padStart(16)}`,
  );
  const fmt = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`.padStart(10);
  for (const [key, list] of pairs) {
    const cells = columns.map((name) =>
      fmt(median(list.map(({ subject, stock }) => (subject.spaces?.[name] ?? 0) - (stock.spaces?.[name] ?? 0)))),
    );
    const rest = fmt(median(list.map(({ subject, stock }) => outside(subject) - outside(stock))));
    const threads = `${median(list.map(({ subject }) => subject.threads ?? Number.NaN))} (${median(list.map(({ stock }) => stock.threads ?? Number.NaN))})`;
    console.log(`${key.padEnd(28)} ${cells.join(' ')} ${rest} ${threads.padStart(16)}`);
  }
}
