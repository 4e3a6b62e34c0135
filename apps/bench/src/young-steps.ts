/**
 * `bench:young-steps` (issue 21): when a server's young generation doubles during `bench:memory`'s
 * load, read from V8's own GC trace. V8 grows new space (from 8 to 16 MiB committed here, the +8
 * MiB of RSS that decides the "RSS after" goal) once enough bytes survived its collections since
 * its last growth (`survived_since_last_expansion_` in V8's heap, against the semi-space's
 * capacity). Each server of `bench:memory` runs with `--trace-gc-nvp --trace-gc-verbose` under the
 * same mixed load; this prints, per server, each step (when, the committed size after it, and the
 * bytes that survived collections since the step before: promoted plus copied within new space,
 * mark-compacts included, as the trace reports them) and the bytes survived since the last step
 * when the load ended. The trace's sums are what V8 reports, not V8's own counter: the step came
 * after 3.1 to 4.1 MiB of them in runs of the same server, so compare servers, not a threshold.
 *
 * `node dist/young-steps.js` (from apps/bench, after the build). YOUNG_FRAMEWORKS picks the
 * frameworks (comma-separated; fastify by default), YOUNG_OPS the operations (20,000).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mixedLoad } from './memory-load.js';
import type { Framework, Variant } from './memory-servers.js';

const FRAMEWORKS = (process.env.YOUNG_FRAMEWORKS ?? 'fastify').split(',') as Framework[];
const OPS = Number(process.env.YOUNG_OPS ?? 20_000);
/** Stock and the file reporter (the default reporter writes to stdout, where V8's trace goes too). */
const VARIANTS: readonly Variant[] = ['stock', 'file'];
const serverScript = fileURLToPath(new URL('./memory-servers.js', import.meta.url));

/** New space's committed size at its largest on 64-bit Node (two 16 MiB semi-spaces), KiB. */
const MAX_COMMITTED_KIB = 32 * 1024;

/** One collection of the trace: when, its kind, the bytes that survived it, new space committed after it (KiB). */
interface Collection {
  readonly ms: number;
  readonly kind: string;
  readonly survived: number;
  committed?: number;
}

/** The collections of a `--trace-gc-nvp --trace-gc-verbose` trace, each with new space's committed size after it. */
export function parseTrace(text: string): Collection[] {
  const collections: Collection[] = [];
  for (const line of text.split('\n')) {
    const committed = /New space,.*committed:\s+(\d+) KB/.exec(line);
    const last = collections.at(-1);
    if (committed !== null) {
      if (last !== undefined && last.committed === undefined) last.committed = Number(committed[1]);
      continue;
    }
    const kind = / gc=(\w+) /.exec(line);
    if (kind === null) continue;
    const field = (name: string) => Number(new RegExp(` ${name}=(\\d+)`).exec(line)?.[1] ?? 0);
    collections.push({
      ms: Number(/\s(\d+) ms: /.exec(line)?.[1] ?? Number.NaN),
      kind: kind[1] ?? '?',
      survived: field('promoted') + field('new_space_survived'),
    });
  }
  return collections;
}

/** Runs one server of `bench:memory` under the load with the GC trace on; resolves with the trace. */
async function traced(framework: Framework, variant: Variant, dir: string): Promise<string> {
  const file = join(dir, `${framework}-${variant}.txt`);
  const proc = fork(serverScript, [framework, variant], {
    stdio: ['ignore', openSync(file, 'w'), 'ignore', 'ipc'],
    execArgv: ['--expose-gc', '--trace-gc-nvp', '--trace-gc-verbose'],
  });
  const next = () => new Promise<{ port: number }>((resolve) => proc.once('message', (m) => resolve(m as never)));
  const { port } = await next();
  await mixedLoad(framework, port, OPS, 60_000);
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.send('exit');
  await exited;
  return readFileSync(file, 'latin1');
}

/** Prints the steps of one trace and the bytes survived since the last one. */
function report(name: string, collections: readonly Collection[]): void {
  let committed = collections[0]?.committed ?? 0;
  let since = 0;
  const steps: string[] = [];
  for (const c of collections) {
    since += c.survived;
    if (c.committed !== undefined && c.committed !== committed) {
      steps.push(
        `${committed / 1024}->${c.committed / 1024} MiB at ${c.ms} ms (${(since / 1024).toFixed(0)} KiB survived)`,
      );
      committed = c.committed;
      since = 0;
    }
  }
  console.log(
    `${name.padEnd(16)} ${(since / 1024).toFixed(0).padStart(6)} KiB survived since the last step${committed >= MAX_COMMITTED_KIB ? ' (at the largest size)' : ''}; steps: ${steps.join(', ')}`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-young-'));
  console.log(`young-generation steps under ${OPS} mixed operations (V8's GC trace)`);
  try {
    for (const framework of FRAMEWORKS)
      for (const variant of VARIANTS)
        report(`${framework} ${variant}`, parseTrace(await traced(framework, variant, dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
