/**
 * The server side of `bench:ws-memory` (`ws-memory-server.js <variant>`): the ws server of
 * `bench:memory` wired as `stock`, `defaults`, `quiet` (`reporter: false`), `file`, `ballast` or `loaded`, which
 * reports its port, then on `start` begins counting its scavenges (and sampling the allocation
 * sites of what outlives them, with WS_MEMORY_SITES), and on `stop` answers its figures after two
 * forced collections.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GCProfiler, getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { WebSocketServer } from 'ws';
import { kindHandler, wireFaultlineWs, wireStockWs } from './ws-kinds.js';

/**
 * How the server is wired. `ballast`: the stock server holding 0.5 MiB more heap (plain objects
 * made at start, never used), the control of how close the stock server sits to the young
 * generation's doubling under this load (measured: in most runs that alone makes stock take the
 * 16 -> 32 MiB step during the mixed load, +8 to +17 MiB RSS, as Faultline's wiring does).
 * `loaded`: the stock server in a process that has imported `@faultline/ws` and `@faultline/core`
 * (unused): the control of what loading Faultline alone does to the young generation's steps.
 */
export const VARIANTS = ['stock', 'defaults', 'quiet', 'file', 'ballast', 'loaded'] as const;
/** A wiring. */
export type Variant = (typeof VARIANTS)[number];
/** The figures a server reports after the load. */
export interface Figures {
  readonly rss: number;
  readonly heap: number;
  readonly young: number;
  readonly youngResident: number;
  readonly old: number;
  readonly survivedPerScavenge: number;
  readonly scavenges: number;
  /** The young generation's size when the load started, MiB. */
  readonly youngAtStart: number;
  /** Its growth during the load: `size@scavenge` for each change (the first scavenge is 1). */
  readonly growth: string;
  /** The process's threads after the load (a reporter's worker thread shows here). */
  readonly threads: number;
  /** KB surviving each scavenge (new space after it plus what it promoted), in order. */
  readonly perScavenge: readonly number[];
  /** V8 heap bytes allocated from `start` to `stop` (what every collection freed plus the growth), MiB. */
  readonly allocated: number;
  /** Allocation sites of objects that outlived a scavenge (WS_MEMORY_SITES), bytes in total. */
  readonly sites: readonly (readonly [string, number])[];
  /** V8's heap as committed (`heapTotal`) and resident (every space's physical size), MiB. */
  readonly committed: number;
  readonly resident: number;
  /** Memory outside V8's heap that V8 knows of (`external`, of which `arrayBuffers`), MiB. */
  readonly external: number;
  readonly arrayBuffers: number;
  /** Each heap space's resident size, MiB (spaces holding less than 0.05 MiB left out). */
  readonly spaces: readonly (readonly [string, number])[];
}

interface ProfileNode {
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const SITES = Number(process.env.WS_MEMORY_SITES ?? 0);

/** Sampled bytes per allocation site (function, file, line), the SITES largest. */
function siteBytes(head: ProfileNode): [string, number][] {
  const bySite = new Map<string, number>();
  const walk = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const site = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|packages|apps)\//, '$1/')}:${lineNumber + 1}`;
    if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(head);
  return [...bySite].sort((a, b) => b[1] - a[1]).slice(0, SITES);
}

interface SpaceStat {
  readonly spaceName: string;
  readonly spaceUsedSize: number;
  readonly spaceSize: number;
}
interface GcEntry {
  readonly gcType: string;
  readonly beforeGC: { readonly heapSpaceStatistics: readonly SpaceStat[]; readonly heapStatistics: HeapUsed };
  readonly afterGC: { readonly heapSpaceStatistics: readonly SpaceStat[]; readonly heapStatistics: HeapUsed };
}
interface HeapUsed {
  readonly usedHeapSize: number;
}

/** The `ballast` variant's retained heap. */
const retained: object[] = [];

const used = (stats: readonly SpaceStat[], name: string) => stats.find((s) => s.spaceName === name)?.spaceUsedSize ?? 0;
const MIB = 2 ** 20;

async function serve(variant: Variant): Promise<void> {
  const stock = variant === 'stock' || variant === 'ballast' || variant === 'loaded';
  if (variant === 'loaded') await Promise.all([import('@faultline/ws'), import('@faultline/core')]);
  const handle = await kindHandler(stock);
  const server = createServer();
  if (variant === 'ballast') for (let i = 0; i < 8192; i += 1) retained.push({ i, text: String(i) });
  if (stock) {
    wireStockWs(new WebSocketServer({ server }), handle);
  } else {
    const { createReporter } = await import('@faultline/core');
    const options =
      variant === 'quiet'
        ? { reporter: false as const }
        : variant === 'file'
          ? { reporter: createReporter({ destination: join(mkdtempSync(join(tmpdir(), 'ws-memory-')), 'f.log') }) }
          : {};
    await wireFaultlineWs(server, options, handle);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gc = (globalThis as { gc?: () => void }).gc;
  let profiler: GCProfiler | undefined;
  let usedAtStart = 0;
  let youngAtStart = 0;
  const session = SITES > 0 ? new Session() : undefined;
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) =>
      session?.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  process.on('message', async (message) => {
    if (message === 'start') {
      if (session !== undefined) {
        session.connect();
        // Samples of objects a scavenge collected are dropped: what is left outlived one.
        await post('HeapProfiler.startSampling', {
          samplingInterval: 1024,
          includeObjectsCollectedByMajorGC: true,
          // WS_MEMORY_ALLOCATED=1: every allocation site, whatever became of its objects.
          includeObjectsCollectedByMinorGC: process.env.WS_MEMORY_ALLOCATED === '1',
        });
      }
      profiler = new GCProfiler();
      profiler.start();
      usedAtStart = getHeapStatistics().used_heap_size;
      youngAtStart = (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) / MIB;
      process.send?.({ started: true });
      return;
    }
    if (message !== 'stop') process.exit(0);
    const usedAtStop = getHeapStatistics().used_heap_size;
    const all = (profiler?.stop() as unknown as { statistics?: GcEntry[] })?.statistics ?? [];
    const entries = all.filter((e) => e.gcType === 'Scavenge');
    let allocated = usedAtStop - usedAtStart;
    for (const e of all) allocated += e.beforeGC.heapStatistics.usedHeapSize - e.afterGC.heapStatistics.usedHeapSize;
    // One more scavenge before the samples are read: what the load allocated since the last one
    // (up to a whole semi-space) would otherwise count as surviving.
    if (session !== undefined)
      (gc as unknown as ((options: { type: string }) => void) | undefined)?.({ type: 'minor' });
    const sites =
      session === undefined
        ? []
        : siteBytes(((await post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } }).profile.head);
    let survived = 0;
    const perScavenge: number[] = [];
    const growth: string[] = [];
    let size = youngAtStart;
    for (const [index, e] of all.entries()) {
      const now = (e.afterGC.heapSpaceStatistics.find((s) => s.spaceName === 'new_space')?.spaceSize ?? 0) / MIB;
      if (now !== size) growth.push(`${now}@${index + 1}${e.gcType === 'Scavenge' ? '' : e.gcType}`);
      size = now;
    }
    for (const e of entries) {
      const after = e.afterGC.heapSpaceStatistics;
      const before = e.beforeGC.heapSpaceStatistics;
      const kept = used(after, 'new_space') + Math.max(0, used(after, 'old_space') - used(before, 'old_space'));
      perScavenge.push(Math.round(kept / 1024));
      survived += kept;
    }
    gc?.();
    gc?.();
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
    const memory = process.memoryUsage();
    const spaces = getHeapSpaceStatistics();
    process.send?.({
      committed: memory.heapTotal / MIB,
      resident: spaces.reduce((sum, s) => sum + s.physical_space_size, 0) / MIB,
      external: memory.external / MIB,
      arrayBuffers: memory.arrayBuffers / MIB,
      spaces: spaces
        .map((s) => [s.space_name.replace(/_space$/, ''), s.physical_space_size / MIB] as const)
        .filter(([, size]) => size >= 0.05),
      rss: memory.rss / MIB,
      heap: memory.heapUsed / MIB,
      young: (young?.space_size ?? 0) / MIB,
      youngResident: (young?.physical_space_size ?? 0) / MIB,
      old: (old?.space_used_size ?? 0) / MIB,
      survivedPerScavenge: survived / Math.max(1, entries.length) / 1024,
      scavenges: entries.length,
      allocated: allocated / MIB,
      youngAtStart,
      growth: growth.join(' '),
      perScavenge,
      threads: readdirSync('/proc/self/task').length,
      sites,
    } satisfies Figures);
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ port: (server.address() as { port: number }).port });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(process.argv[2] as Variant);
