/**
 * A small side-by-side timer: every case runs in the same process, interleaved over several
 * rounds, and the median ns/op is reported, so ratios are comparable even on a noisy machine.
 */

/** One benchmark case: a name and a function doing one operation. */
export interface BenchCase {
  readonly name: string;
  readonly run: () => unknown;
}

/** Median nanoseconds per operation for each case. */
export interface BenchResult {
  readonly name: string;
  readonly nsPerOp: number;
}

let sink: unknown;

/** Keeps results alive so the optimiser cannot drop the measured work. */
export function consume(value: unknown): void {
  sink = value;
}

/** Runs every case `rounds` times, `iterations` operations per round, interleaved; returns medians. */
export function measure(cases: readonly BenchCase[], iterations = 50_000, rounds = 7): BenchResult[] {
  for (const c of cases) for (let i = 0; i < iterations / 5; i += 1) consume(c.run());
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const c of cases) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i += 1) consume(c.run());
      const elapsed = Number(process.hrtime.bigint() - start);
      samples.get(c.name)?.push(elapsed / iterations);
    }
  }
  if (sink === Symbol.for('never')) console.log('');
  return cases.map((c) => {
    const sorted = [...(samples.get(c.name) ?? [])].sort((a, b) => a - b);
    return { name: c.name, nsPerOp: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN };
  });
}

/** Prints results as a table with each case's ratio to `baseline`. */
export function printTable(title: string, results: readonly BenchResult[], baseline: string): void {
  const base = results.find((r) => r.name === baseline)?.nsPerOp ?? Number.NaN;
  console.log(`\n${title}`);
  console.log(`${'case'.padEnd(58)} ${'ns/op'.padStart(10)} ${'x baseline'.padStart(11)}`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(58)} ${r.nsPerOp.toFixed(0).padStart(10)} ${(r.nsPerOp / base).toFixed(2).padStart(11)}`,
    );
  }
}
